import { describe, expect, it } from 'vitest';
import type { Area } from '../../src/triage/types.js';
import { type GoldArea, outcomeOf, sameValue, scoreAreas } from './area-score.js';

const none: GoldArea = { postalCode: '', city: '', region: '', country: '' };
const boston: GoldArea = { postalCode: '', city: 'Boston', region: 'MA', country: 'US' };
const area = (a: Partial<Area>): Area => ({
  postalCode: null,
  city: null,
  region: null,
  country: null,
  confidence: 0.5,
  ...a,
});

describe('area scoring', () => {
  it('names the first failing check as the kind of error', () => {
    expect(outcomeOf(none, null)).toBe('right');
    expect(outcomeOf(none, area({ country: 'US' }))).toBe('false place');
    expect(outcomeOf(boston, null)).toBe('missed');
    expect(outcomeOf(boston, area({ city: 'Boston', region: 'MA', country: 'GB' }))).toBe(
      'wrong country',
    );
    expect(outcomeOf(boston, area({ city: 'Boston', region: 'LA', country: 'US' }))).toBe(
      'wrong region',
    );
    expect(outcomeOf(boston, area({ city: 'Quincy', region: 'MA', country: 'US' }))).toBe(
      'wrong city',
    );
    // Unlabelled fields are not scored: a postcode the label leaves empty does not count.
    expect(
      outcomeOf(boston, area({ postalCode: '02110', city: 'Boston', region: 'MA', country: 'US' })),
    ).toBe('right');
  });

  it('compares cities ignoring case, punctuation and St./Saint', () => {
    expect(sameValue('city', 'St. Louis', 'Saint Louis')).toBe(true);
    expect(sameValue('city', 'stoke-on-trent', 'Stoke on Trent')).toBe(true);
    expect(sameValue('city', 'Boston', 'Bostonia')).toBe(false);
    expect(sameValue('city', "King's Lynn", 'Kings Lynn')).toBe(true);
    expect(sameValue('region', 'MA', 'ma')).toBe(false);
  });

  it('counts fields only where labelled, and has-a-place as a binary decision', () => {
    const s = scoreAreas([
      { gold: boston, got: area({ city: 'Boston', region: 'MA', country: 'US' }) },
      { gold: { ...none, country: 'GB' }, got: area({ country: 'US', region: 'NY' }) },
      { gold: none, got: area({ country: 'US' }) },
      { gold: none, got: null },
      { gold: { ...none, country: 'IN' }, got: null },
    ]);
    expect(s.place).toEqual({ tp: 2, fp: 1, fn: 1, tn: 1 });
    expect(s.fields.country).toEqual({ labelled: 3, correct: 1 });
    expect(s.fields.city).toEqual({ labelled: 1, correct: 1 });
    expect(s.fields.postalCode).toEqual({ labelled: 0, correct: 0 });
    expect(s.outcomes.right).toBe(2);
    expect(s.outcomes['wrong country']).toBe(1);
  });
});
