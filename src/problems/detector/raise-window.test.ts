import { describe, expect, it } from 'vitest';
import type { Decision } from './detector.js';
import { CITIES, complain, HOUR, MIN, raises, warmed } from './test-fixtures.js';

const CHICAGO = CITIES[1];

/*
 * A raise links the complainers of the window that stood out. Before it, the change point's
 * earlier members were taken too whenever they were, together, more than the usual count: a
 * small trouble raised on its 4-hour window took its city's ordinary complaints of the 10 hours
 * before (QA replay: Tucson, Boise).
 */
describe('a raise links the window that stood out', () => {
  it('and not the ordinary complaints of the hours before it', () => {
    const { det, start } = warmed();
    const out: Decision[] = [];
    // A busier evening than usual in Chicago: a network complaint every 40 minutes for 6 hours.
    for (let i = 0; i < 9; i++)
      out.push(...complain(det, `evening-${i}`, start + i * 40 * MIN, CHICAGO, 'network'));
    const burst = start + 6 * HOUR + 30 * MIN;
    for (let i = 0; i < 8; i++)
      out.push(...complain(det, `burst-${i}`, burst + i * 3 * MIN, CHICAGO, 'network'));
    const r = raises(out).filter((d) => d.topic === 'network');
    expect(r).toHaveLength(1);
    const linked = out.flatMap((d) =>
      d.type === 'link' && d.problemId === r[0].problemId ? [d.member] : [],
    );
    expect(linked.filter((m) => m.customerId.startsWith('burst-')).length).toBeGreaterThanOrEqual(
      6,
    );
    expect(linked.filter((m) => m.at < burst - HOUR)).toEqual([]);
  });
});
