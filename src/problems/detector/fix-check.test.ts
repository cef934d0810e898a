import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTOR_CONFIG } from './config.js';
import type { Decision } from './detector.js';
import { NewCases, verifyQuietFor } from './fix-check.js';
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

describe('how long a fixed problem stays quiet before it is verified', () => {
  const at = (h: number) => h * HOUR;
  const fixed = (detectedH: number, fixH: number) => ({
    id: 'p',
    detectedAt: at(detectedH),
    fixedAt: at(fixH),
  });
  const joined = (times: number[]) => {
    const nc = new NewCases(26 * HOUR);
    for (const t of times) nc.note('p', t);
    return nc;
  };

  it('a fast trouble: the floor of two hours', () => {
    // 40 customers in the two hours before the fix: three gaps are minutes.
    const nc = joined(Array.from({ length: 40 }, (_, i) => at(10) + i * 3 * MIN));
    expect(verifyQuietFor(DEFAULT_DETECTOR_CONFIG, fixed(10, 12), nc)).toBe(2 * HOUR);
  });

  it('a slow trouble: three of its mean gaps', () => {
    // 8 customers in the 6 hours from the raise to the fix: a gap of 45 minutes on average.
    const nc = joined(Array.from({ length: 8 }, (_, i) => at(4) + i * 45 * MIN));
    expect(verifyQuietFor(DEFAULT_DETECTOR_CONFIG, fixed(4, 10), nc)).toBe((3 * 6 * HOUR) / 8);
  });

  it('counts only the 12 hours before the fix, and waits at most until it stops drawing', () => {
    // A burst long before the fix does not set the pace; 3 customers in the 12 hours do.
    const nc = joined([
      ...Array.from({ length: 30 }, (_, i) => at(1) + i * MIN),
      at(15),
      at(19),
      at(23),
    ]);
    expect(verifyQuietFor(DEFAULT_DETECTOR_CONFIG, fixed(1, 25), nc)).toBe(
      DEFAULT_DETECTOR_CONFIG.liveQuietMs,
    );
  });

  it('a slow trouble fixed is not verified after two quiet hours, but after its own gaps', () => {
    const { det, out, start } = warmed();
    // Raised by a burst, then one new customer every two hours for half a day.
    for (let i = 0; i < 12; i++) out.push(...complain(det, `a-${i}`, start + i * 3 * MIN, AUSTIN));
    for (let i = 1; i <= 7; i++) out.push(...complain(det, `s-${i}`, start + i * 2 * HOUR, AUSTIN));
    const [raised] = raises(out);
    const fixAt = start + 14 * HOUR + 5 * MIN;
    det.syncProblems(
      det.problemViews().map((v) => ({ ...v, status: 'fixed', fixedAt: fixAt, human: true })),
    );
    const verified: number[] = [];
    for (let t = fixAt + MIN; t < fixAt + 10 * HOUR; t += 5 * MIN) {
      out.push(...complain(det, `q-${t}`, t, CITIES[0], 'billing', 'my bill is wrong'));
      for (const d of det.tick()) if (d.type === 'verify') verified.push(d.at);
    }
    expect(raised).toBeDefined();
    // Its last customer came at 14 hours; at its pace (6 in the 12 hours before the fix) it
    // waits until the problem stops drawing complaints, 6 quiet hours.
    expect(verified).toHaveLength(1);
    expect(verified[0]).toBeGreaterThanOrEqual(
      start + 14 * HOUR + DEFAULT_DETECTOR_CONFIG.liveQuietMs,
    );
    expect(verified[0]).toBeLessThan(
      start + 14 * HOUR + DEFAULT_DETECTOR_CONFIG.liveQuietMs + 10 * MIN,
    );
  });

  it('nothing to pace by: the floor', () => {
    expect(verifyQuietFor(DEFAULT_DETECTOR_CONFIG, fixed(1, 5), joined([]))).toBe(2 * HOUR);
    expect(
      verifyQuietFor(DEFAULT_DETECTOR_CONFIG, { ...fixed(1, 5), fixedAt: null }, joined([at(2)])),
    ).toBe(2 * HOUR);
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
