import { describe, expect, it } from 'vitest';
import { withPlaceWordsSpelled } from './area-spelling.js';

describe('withPlaceWordsSpelled', () => {
  it('spells a place word one slip away, in the case it was typed', () => {
    expect(withPlaceWordsSpelled('outage acrss texas')).toBe('outage across texas');
    expect(withPlaceWordsSpelled('OUTAGE ACORSS TEXAS')).toBe('OUTAGE ACROSS TEXAS');
    expect(withPlaceWordsSpelled('Dwontown Chicago has no signal')).toBe(
      'Downtown Chicago has no signal',
    );
    expect(withPlaceWordsSpelled('internet down boise aera since 2pm')).toBe(
      'internet down boise area since 2pm',
    );
  });

  it('leaves words, and the short targets outside their phrase', () => {
    const same = [
      'they are down', // "are" is a word
      'the oven is on', // so is "oven"
      'ovr the weekend', // "over" only after "all"
      'sate my hunger', // "state" only after "whole", "entire", "the"
      "the store's area code", // the word itself
    ];
    for (const text of same) expect(withPlaceWordsSpelled(text)).toBe(text);
    expect(withPlaceWordsSpelled('all ovr phoenix')).toBe('all over phoenix');
    expect(withPlaceWordsSpelled('the whole stae of Florida')).toBe('the whole state of Florida');
  });
});
