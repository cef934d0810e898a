import { describe, expect, it } from 'vitest';
import type { Decision } from './detector.js';
import { austinOutage, complain, linkedTo, MIN, raises } from './test-fixtures.js';

/*
 * Issue 6, QA: while an Austin outage was being fixed, 25 customers naming no place wrote that
 * scanning the eSIM QR code gives error E-4412. Their word burst (`w:error`, no topic) joined
 * the outage as "the same trouble" (`sameTrouble` compared its words with the problem's only for
 * an excess of a named topic), and at the fix all 25 were told the outage was fixed. A word
 * burst joins a live problem only when its complaints read like the problem's.
 */
function run(esim: string) {
  const { det, start, austin, outage } = austinOutage();
  // Being fixed (what storage tells the detector every batch), while Austin goes on complaining
  // (a local problem whose place went quiet takes no burst naming no place: `placeQuiet`).
  det.syncProblems(det.problemViews().map((v) => ({ ...v, status: 'fixing', human: true })));
  const later: Decision[] = [];
  austin(12, 30, later);
  for (let i = 0; i < 25; i++)
    later.push(
      ...complain(det, `esim-${i}`, start + 14 * MIN + i * 30_000, null, 'device', `${esim} ${i}`),
    );
  const id = outage[0]?.problemId;
  const took = id ? [...linkedTo(later, id)].filter((c) => c.startsWith('esim-')).length : 0;
  return { outage, later, took };
}

describe('problem detector: a word burst joins a live problem only if it reads like it', () => {
  it('leaves an eSIM error burst naming no place out of a local outage being fixed', () => {
    const r = run('Scanning the eSIM QR code gives error E-4412 and the profile is not installed');
    expect(r.outage).toHaveLength(1);
    expect(r.outage[0]).toMatchObject({ topic: 'outage', areaKey: 'p:US:78701' });
    // The old rule merged it (`own` of its word key): all 25 went to the outage.
    expect(r.took).toBe(0);
    expect(r.later.some((d) => d.type === 'own' && d.problemId === r.outage[0].problemId)).toBe(
      false,
    );
  });

  it('still takes a word burst that reads like the problem’s complaints', () => {
    const r = run('no internet since the router rebooted');
    expect(r.outage).toHaveLength(1);
    expect(raises(r.later)).toHaveLength(0);
    expect(r.took).toBeGreaterThan(0);
  });
});
