import { describe, expect, it } from 'vitest';
import type { Decision } from './detector.js';
import { CITIES, complain, HOUR, MIN, raises, warmed } from './test-fixtures.js';

/*
 * A problem's `firstEventAt` says since when its trouble goes on. It was the oldest complaint in
 * the raising key's window, which reaches back 12 hours into the place's ordinary complaints:
 * QA's replayed outages all began 8–12 hours before they did.
 */
describe('where a raised trouble began', () => {
  it('is its first complaint, not the oldest ordinary complaint in the key’s window', () => {
    const { det, start } = warmed();
    const out: Decision[] = [];
    for (let i = 0; i < 12; i++)
      out.push(...complain(det, `burst-${i}`, start + i * MIN, CITIES[0], 'network'));
    const r = raises(out);
    expect(r).toHaveLength(1);
    // The key's window holds hours of San Francisco's usual network complaints.
    expect(r[0].firstAt).toBeGreaterThan(start - 2 * HOUR);
    expect(r[0].firstAt).toBeLessThanOrEqual(start + 5 * MIN);
  });
});
