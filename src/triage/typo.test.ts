import { describe, expect, it } from 'vitest';
import { editKind, oneEditApart, Speller } from './typo.js';

describe('oneEditApart', () => {
  it('takes one insertion, deletion, substitution or swap', () => {
    expect(oneEditApart('dwn', 'down')).toBe(true);
    expect(oneEditApart('donw', 'down')).toBe(true);
    expect(oneEditApart('stlil', 'still')).toBe(true);
    expect(oneEditApart('happeinng', 'happening')).toBe(true);
    expect(oneEditApart('brokenn', 'broken')).toBe(true);
    expect(oneEditApart('brokan', 'broken')).toBe(true);
  });
  it('refuses two edits, and a word itself', () => {
    expect(oneEditApart('down', 'down')).toBe(false);
    expect(oneEditApart('dnw', 'down')).toBe(false);
    expect(oneEditApart('brkn', 'broken')).toBe(false);
    expect(oneEditApart('sitlls', 'still')).toBe(false);
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
