import { describe, expect, it } from 'vitest';
import { rocAuc } from './metrics.js';

describe('rocAuc', () => {
  it('is 1 when every positive outranks every negative, 0 when reversed', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [false, false, true, true])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [false, false, true, true])).toBe(0);
  });

  it('counts the share of positive-negative pairs in order, ties as half', () => {
    // Pairs (positive score, negative score): (0.5, 0.2) right, (0.5, 0.6) wrong,
    // (0.6, 0.2) right, (0.6, 0.6) tie: (2 + 0.5) / 4.
    expect(rocAuc([0.5, 0.6, 0.2, 0.6], [true, true, false, false])).toBeCloseTo(0.625, 12);
  });

  it('does not depend on the order of the input', () => {
    const scores = [0.3, 0.7, 0.7, 0.1, 0.9, 0.4];
    const labels = [false, true, false, false, true, true];
    const reversed = rocAuc([...scores].reverse(), [...labels].reverse());
    expect(rocAuc(scores, labels)).toBeCloseTo(reversed, 12);
    // 9 pairs: 0.7 beats 0.3, tie with 0.7, beats 0.1 (2.5); 0.9 beats all (3); 0.4 beats 0.3
    // and 0.1, loses to 0.7 (2): 7.5 / 9.
    expect(rocAuc(scores, labels)).toBeCloseTo(7.5 / 9, 12);
  });

  it('is NaN when a class is missing (no pairs to rank)', () => {
    expect(rocAuc([0.2, 0.4], [true, true])).toBeNaN();
  });
});
