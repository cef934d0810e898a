import { describe, expect, it } from 'vitest';
import type { Decision } from './detector.js';
import { CITIES, complain, HOUR, MIN, raises, warmed } from './test-fixtures.js';

/*
 * A trouble whose first complaints name no place is raised country-wide; where it really is
 * shows later, in the complaints that do name one.
 */

const NEW_YORK = CITIES[3];
const AUSTIN = CITIES[2];
const LINE_DOWN = 'your support line hangs up on me every time i call';

/**
 * 30 callers naming no place raise the support line's trouble; 40 more follow over the next
 * 40 minutes, every other one naming a place: New York (`spread` false) or each of the six
 * cities in turn. Then, two hours in, Austin's own support line fails.
 */
function lineDown(spread: boolean): Decision[] {
  const { det, out, start } = warmed();
  for (let i = 0; i < 30; i++)
    out.push(...complain(det, `u-${i}`, start + i * 30_000, null, 'service', LINE_DOWN));
  for (let i = 0; i < 40; i++) {
    // New York's callers live in five of its ZIP codes.
    const zip = String(10001 + (i % 5));
    const place = spread ? CITIES[i % CITIES.length] : { ...NEW_YORK, postalCode: zip };
    const at = start + 15 * MIN + i * MIN;
    out.push(...complain(det, `c-${i}`, at, i % 2 ? null : place, 'service', LINE_DOWN));
  }
  for (let i = 0; i < 25; i++) {
    const at = start + 2 * HOUR + i * 2 * MIN;
    out.push(...complain(det, `tx-${i}`, at, AUSTIN, 'service', 'support chat in austin is dead'));
  }
  return out;
}

describe('problem detector: where a country-wide problem really is', () => {
  it('moves a problem raised country-wide to the one place its complainers name', () => {
    const out = lineDown(false);
    const first = raises(out)[0];
    expect(first.areaKey).toBe('all');
    expect(first.topic).toBe('service');
    const moved = out.filter((d) => d.type === 'refine' && d.problemId === first.problemId);
    expect(moved).toHaveLength(1);
    expect(moved[0]).toMatchObject({ areaKey: 't:US:NY:new york', area: { city: 'New York' } });
    // So Austin's trouble later is not taken for New York's: it is a problem of its own.
    const austin = raises(out).filter((r) => r.problemId !== first.problemId);
    expect(austin).toHaveLength(1);
    expect(austin[0].area?.city).toBe('Austin');
  });

  it('keeps it country-wide when its complainers are all over the country', () => {
    const out = lineDown(true);
    const first = raises(out)[0];
    expect(first.areaKey).toBe('all');
    expect(out.some((d) => d.type === 'refine' && d.problemId === first.problemId)).toBe(false);
    // Austin's support line fails while the whole country's does: the same trouble.
    expect(raises(out)).toHaveLength(1);
  });
});
