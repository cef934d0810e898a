import { describe, expect, it } from 'vitest';
import type { Area } from '../../triage/index.js';
import type { DetectorConfig } from './config.js';
import { swingCv2 } from './day-swing.js';
import { type Decision, Detector } from './detector.js';
import { complain, HOUR, MIN, raises, seeded, T0 } from './test-fixtures.js';

/*
 * Issue 6, QA round 2 (q7): a busy desk whose places have loud and quiet days (each city's
 * volume times a lognormal day factor, σ 0.25–0.3) raised about seven false problems a week
 * under the fixed `dayVariation` 0.15. The detector now learns each area level's day-to-day
 * variation from its own busy keys (`day-swing.ts`).
 */

const DAY = 24 * HOUR;
/** Four states of three cities each: a city's swing is not its whole state's. */
const PLACES: Area[] = [
  ['Fresno', 'CA'],
  ['Oakland', 'CA'],
  ['San Diego', 'CA'],
  ['Dallas', 'TX'],
  ['Houston', 'TX'],
  ['El Paso', 'TX'],
  ['Tampa', 'FL'],
  ['Miami', 'FL'],
  ['Orlando', 'FL'],
  ['Albany', 'NY'],
  ['Buffalo', 'NY'],
  ['Rochester', 'NY'],
].map(([city, region]) => ({ postalCode: null, city, region, country: 'US', confidence: 1 }));
const DALLAS = PLACES[3];
/**
 * Billing complaints per hour per city on an average day. One topic, so that the keys a swing
 * shows in are busy ones (12 hours expect 72), where the day variation decides the test.
 */
const PER_HOUR = 6;
const DAYS = 10;

/**
 * `DAYS` days of complaints in the twelve cities, each city's day at its own lognormal factor
 * (σ `sigma`). Arrivals are Poisson within a day.
 */
function swingingDesk(sigma: number) {
  const rnd = seeded(11);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const plan: { at: number; area: Area; topic: string }[] = [];
  for (const area of PLACES)
    for (let d = 0; d < DAYS; d++) {
      const factor = Math.exp(sigma * gauss() - (sigma * sigma) / 2);
      const rate = (PER_HOUR * factor) / HOUR;
      for (let t = T0 + d * DAY - Math.log(1 - rnd()) / rate; t < T0 + (d + 1) * DAY; ) {
        plan.push({ at: Math.round(t), area, topic: 'billing' });
        t += -Math.log(1 - rnd()) / rate;
      }
    }
  return plan.sort((a, b) => a.at - b.at);
}

/**
 * The desk's days, with Dallas losing its network at noon of the last day if `incident`; the
 * problems raised from the third day on (the first two, the estimate is not learning yet).
 */
function run(config: Partial<DetectorConfig>, incident: boolean) {
  const det = new Detector(config);
  const plan = swingingDesk(0.35);
  const noon = T0 + (DAYS - 1) * DAY + 12 * HOUR;
  if (incident)
    for (let i = 0; i < 30; i++)
      plan.push({ at: noon + i * 2 * MIN, area: DALLAS, topic: 'network' });
  plan.sort((a, b) => a.at - b.at);
  const out: Decision[] = [];
  plan.forEach((p, i) => {
    out.push(...complain(det, `c-${i}`, p.at, p.area, p.topic, `complaint ${i % 97}`));
  });
  const raised = raises(out).filter((r) => r.at >= T0 + 2 * DAY);
  const dallas = (r: (typeof raised)[number]) => r.area?.city === 'Dallas' && r.at >= noon;
  return { swings: raised.filter((r) => !dallas(r)), incident: raised.filter(dallas) };
}

describe('day-to-day variation learned from the desk', () => {
  const fixed = { daySwing: { learn: false, minExpected: 20, priorDays: 2 } };

  it('no longer raises the loud days the fixed 0.15 raised on a desk whose cities swing daily', () => {
    // With the fixed 0.15 five ordinary loud days were raised from the third day on (Albany
    // twice, 59 customers in 4 hours against 25 expected, p 9.8e-6). Learned (cities about 0.3,
    // states 0.1), three remain: two states' 1-hour windows and Oakland's 4 hours at 3× its
    // usual count, tails a lognormal day factor has and the negative binomial does not.
    // (The prior that leaves a key's own complainers out, `key-prior.ts`, is off in both: it
    // moves which loud days reach the line, and this is the day-swing rule alone.)
    const old = run({ ...fixed, leaveOwnOut: false }, false).swings;
    const now = run({ leaveOwnOut: false }, false).swings;
    const keys = (rs: typeof old) => rs.map((r) => r.baseline.key);
    expect(keys(old)).toContain('billing@t:US:NY:albany');
    expect(keys(now)).not.toContain('billing@t:US:NY:albany');
    expect(now.length).toBeLessThan(old.length);
  });

  it('a real incident on such a desk is still raised', () => {
    const { incident } = run({}, true);
    expect(incident.length).toBeGreaterThan(0);
    expect(incident[0].topic).toBe('network');
  });
});

describe('swingCv2', () => {
  const rnd = seeded(3);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  /** A Poisson count by inversion (means up to a few hundred). */
  const poisson = (mean: number) => {
    let k = 0;
    let p = Math.exp(-mean);
    let cdf = p;
    const u = rnd();
    while (u > cdf && k < 10 * mean + 50) {
      k++;
      p *= mean / k;
      cdf += p;
    }
    return k;
  };
  const samples = (sigma: number) =>
    Array.from({ length: 800 }, () => {
      const expected = 10 + rnd() * 100;
      const factor = Math.exp(sigma * gauss() - (sigma * sigma) / 2);
      return { observed: poisson(expected * factor), expected, known: 0 };
    });

  it('reads Poisson counts as no day variation and lognormal day factors as their spread', () => {
    expect(Math.sqrt(swingCv2(samples(0)))).toBeLessThan(0.06);
    expect(Math.sqrt(swingCv2(samples(0.3)))).toBeGreaterThan(0.24);
    expect(Math.sqrt(swingCv2(samples(0.3)))).toBeLessThan(0.36);
  });

  it('is not moved by a few troubles far above their expectation', () => {
    const clean = samples(0.2);
    const troubled = clean.map((s, i) => (i % 20 === 0 ? { ...s, observed: s.observed * 4 } : s));
    const a = Math.sqrt(swingCv2(clean));
    expect(Math.abs(Math.sqrt(swingCv2(troubled)) - a)).toBeLessThan(0.04);
  });
});
