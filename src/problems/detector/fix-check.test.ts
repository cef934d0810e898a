import { describe, expect, it } from 'vitest';
import type { Decision } from './detector.js';
import { NewCases } from './fix-check.js';
import { CITIES, complain, HOUR, MIN, raises, warmed } from './test-fixtures.js';

const AUSTIN = CITIES[2];

/**
 * An owner marks an Austin outage fixed at `fixAt`; its customers came at one every 3 minutes.
 * `after` says whether new ones go on coming at that pace (the fix did not hold) or stop.
 */
function fixedOutage(goesOn: boolean) {
  const { det, out, start } = warmed();
  const fixAt = start + 90 * MIN;
  for (let t = start, i = 0; t < fixAt; t += 3 * MIN, i++)
    out.push(...complain(det, `a-${i}`, t, AUSTIN));
  const first = raises(out);
  expect(first).toHaveLength(1);
  det.syncProblems(
    det.problemViews().map((v) => ({ ...v, status: 'fixed', fixedAt: fixAt, human: true })),
  );
  const later: Decision[] = [];
  const end = fixAt + 4 * HOUR;
  for (let t = fixAt + MIN, i = 0; t < end; t += 3 * MIN, i++) {
    later.push(
      ...(goesOn
        ? complain(det, `b-${i}`, t, AUSTIN)
        : // The place's own quiet traffic: one customer of another topic, now and then.
          i % 10 === 0
          ? complain(det, `q-${i}`, t, AUSTIN, 'billing', 'my bill is wrong')
          : []),
      ...det.tick(),
    );
  }
  return { problemId: first[0].problemId, fixAt, later };
}

describe('whether a fix held', () => {
  it('a fix after which new customers keep coming goes back to fixing', () => {
    const { problemId, fixAt, later } = fixedOutage(true);
    const unfix = later.filter((d) => d.type === 'unfix');
    expect(unfix).toHaveLength(1);
    expect(unfix[0]).toMatchObject({ problemId });
    // Not before the grace and a whole window after the fix have passed.
    const at = (unfix[0] as Extract<Decision, { type: 'unfix' }>).at;
    expect(at).toBeGreaterThanOrEqual(fixAt + 90 * MIN);
    expect(at).toBeLessThan(fixAt + 2 * HOUR);
    expect(later.some((d) => d.type === 'verify')).toBe(false);
  });

  it('a fix after which the complaints stop is verified, not reopened', () => {
    const { problemId, later } = fixedOutage(false);
    expect(later.some((d) => d.type === 'unfix')).toBe(false);
    expect(later.filter((d) => d.type === 'verify')).toMatchObject([{ problemId }]);
  });

  it('counts each case once, in event time, within what it keeps', () => {
    const nc = new NewCases(HOUR);
    for (const t of [10, 30, 20, 40]) nc.note('p', t * MIN);
    expect(nc.between('p', 15 * MIN, 35 * MIN)).toBe(2);
    nc.note('p', 100 * MIN);
    // Older than an hour before the newest: forgotten.
    expect(nc.between('p', 0, 200 * MIN)).toBe(2);
    nc.keepOnly(new Set());
    expect(nc.between('p', 0, 200 * MIN)).toBe(0);
  });
});

describe('a problem nobody fixed', () => {
  it('closes on its own when only suspected, and waits for its owner once confirmed', () => {
    const run = (confirmed: boolean) => {
      const { det, out, start } = warmed();
      for (let i = 0; i < 12; i++)
        out.push(...complain(det, `a-${i}`, start + i * 4 * MIN, AUSTIN));
      const [raised] = raises(out);
      det.syncProblems(
        det
          .problemViews()
          .map((v) => ({ ...v, status: confirmed ? 'confirmed' : 'suspected', human: false })),
      );
      const later: Decision[] = [];
      for (let h = 1; h <= 48; h++)
        later.push(
          ...complain(det, `q-${h}`, start + h * HOUR, CITIES[0], 'billing', 'bill is wrong'),
          ...det.tick(),
        );
      return later.filter((d) => d.type === 'expire' && d.problemId === raised.problemId);
    };
    expect(run(false)).toHaveLength(1);
    expect(run(true)).toHaveLength(0);
  });
});
