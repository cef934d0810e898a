import { describe, expect, it } from 'vitest';
import { editKind, Speller } from './typo.js';

describe('editKind', () => {
  it('takes one insertion, deletion, substitution or swap', () => {
    expect(editKind('dwn', 'down')).not.toBe(0);
    expect(editKind('donw', 'down')).not.toBe(0);
    expect(editKind('stlil', 'still')).not.toBe(0);
    expect(editKind('happeinng', 'happening')).not.toBe(0);
    expect(editKind('brokenn', 'broken')).not.toBe(0);
    expect(editKind('brokan', 'broken')).not.toBe(0);
  });
  it('refuses two edits, and a word itself', () => {
    expect(editKind('down', 'down')).toBe(0);
    expect(editKind('dnw', 'down')).toBe(0);
    expect(editKind('brkn', 'broken')).toBe(0);
    expect(editKind('sitlls', 'still')).toBe(0);
  });
});

describe('Speller', () => {
  const speller = new Speller(['down', 'still', 'broken', 'same', 'problem', 'internet', 'out']);
  const known = (w: string) => ['last', 'town', 'dawn', 'ought'].includes(w);
  it('reads a misspelling as the word it is one edit from', () => {
    expect(speller.read('dwn', known)).toBe('down');
    expect(speller.read('sitll', known)).toBe('still');
    expect(speller.read('prolbem', known)).toBe('problem');
    expect(speller.read('intenret', known)).toBe('internet');
  });
  it('leaves known words, short words and far words alone', () => {
    expect(speller.read('dawn', known)).toBe('dawn');
    expect(speller.read('town', known)).toBe('town');
    expect(speller.read('ot', known)).toBe('ot');
    expect(speller.read('ouy', known)).toBe('ouy'); // "out" is too short to stand for
    expect(speller.read('xyzzy', known)).toBe('xyzzy');
  });
  it('leaves a word one edit from two of the vocabulary alone', () => {
    const two = new Speller(['lost', 'list']);
    expect(two.read('lsst', () => false)).toBe('lsst');
    expect(two.read('lozt', () => false)).toBe('lost');
  });
  it('takes the most common slip when two words are one edit away', () => {
    const two = new Speller(['still', 'bill']);
    // "still" with a letter left out, "bill" with one wrong.
    expect(two.read('sill', () => false)).toBe('still');
    expect(editKind('sill', 'still')).toBe(1);
    expect(editKind('sill', 'bill')).toBe(3);
    expect(editKind('stlil', 'still')).toBe(2);
    expect(editKind('stilll', 'still')).toBe(4);
  });
});
