import { describe, expect, it } from 'vitest';
import type { Decision } from './detector.js';
import { CITIES, complain, HOUR, linkedTo, MIN, raises, warmed } from './test-fixtures.js';

const AUSTIN = CITIES[2];

/**
 * A message older than every window (delivered or read in a day late) reaches a detector that
 * has moved on. In event order it would have left the windows long before; it must not count as
 * today's, nor cost the detector a walk over the months between (it did: a replay of last year
 * into a live desk took seconds per batch and raised nothing).
 */
describe('stragglers', () => {
  const outage = (det: ReturnType<typeof warmed>['det'], tag: string, from: number, n = 12) => {
    const out: Decision[] = [];
    for (let i = 0; i < n; i++)
      out.push(...complain(det, `${tag}-${i}`, from + i * 4 * MIN, AUSTIN));
    return out;
  };

  it('a day-late burst counts nowhere and raises nothing', () => {
    const { det, start } = warmed();
    const now = start + 2 * 24 * HOUR;
    complain(det, 'today', now, CITIES[0], 'billing');
    const late = outage(det, 'late', start);
    expect(raises(late)).toHaveLength(0);
    expect(det.now).toBe(now);
    // Today's own trouble of the same place still stands out as usual.
    expect(raises(outage(det, 'fresh', now + MIN))).toHaveLength(1);
  });

  it('a late complaint on a case its problem holds joins that problem', () => {
    const { det, start } = warmed();
    const first = outage(det, 'a', start);
    const [raised] = raises(first);
    expect(raised).toBeDefined();
    // A person works on it, so it stays live until closed.
    det.syncProblems(det.problemViews().map((v) => ({ ...v, status: 'fixing', human: true })));
    // Fourteen hours on, an old message of one of its cases.
    complain(det, 'other', start + 14 * HOUR, CITIES[0], 'billing');
    const late = complain(det, 'a-3', start + HOUR, AUSTIN);
    expect(linkedTo(late, raised.problemId)).toEqual(new Set(['a-3']));
    // And a late one of a case no problem holds is only taught where its customer is.
    expect(complain(det, 'nobody', start + HOUR, AUSTIN)).toEqual([]);
  });
});
