import { describe, expect, it } from 'vitest';
import type { DetectorConfig } from './config.js';
import { type Decision, Detector } from './detector.js';
import { CappedTally, loudHourCap } from './tally.js';
import { CITIES, HOUR, type Planned, raises, replay, seeded, T0, TOPICS } from './test-fixtures.js';

const MIN = 60_000;
const BILL = 'my bill is wrong';

/*
 * A large trouble early in an installation's life must not teach the baseline that its topic
 * is always loud. Here a Seattle outage reaches 3,000 customers on the first day, half of them
 * naming no place (so no problem can claim them all); two days later 40 customers all over the
 * country lose service within two hours.
 */
function laterCountryOutage(config: Partial<DetectorConfig>) {
  const rnd = seeded(5);
  const events: Planned[] = [];
  const end = T0 + 70 * HOUR;
  for (let t = T0, n = 0; t < end; n++) {
    t += Math.round((HOUR / 30) * (0.5 + rnd()));
    const area = rnd() < 0.3 ? null : CITIES[Math.floor(rnd() * CITIES.length)];
    events.push({ at: t, id: `bg-${n}`, area, topic: TOPICS[Math.floor(rnd() * 6)], text: BILL });
  }
  const first = T0 + 8 * HOUR;
  for (let i = 0; i < 3000; i++) {
    const area = i % 2 === 0 ? CITIES[5] : null;
    events.push({ at: first + i * 14_000, id: `sea-${i}`, area, topic: 'outage' });
  }
  const later = T0 + 62 * HOUR;
  for (let i = 0; i < 40; i++) {
    const area = i % 3 === 0 ? null : CITIES[i % CITIES.length];
    events.push({ at: later + i * 3 * MIN, id: `us-${i}`, area, topic: 'outage' });
  }
  const all: Decision[] = [];
  for (const { ds } of replay(new Detector(config), events)) all.push(...ds);
  const out = raises(all).filter((r) => r.at >= later && r.topic === 'outage');
  return out;
}

describe('problem detector: robust baseline counts', () => {
  it('a first-day outage does not hide a country-wide one two days later', () => {
    const found = laterCountryOutage({});
    expect(found.length).toBeGreaterThan(0);
    expect(found[0].at - T0 - 62 * HOUR).toBeLessThan(HOUR);
    // Control: with every episode counted, the first outage sets the usual rate too high.
    expect(laterCountryOutage({ loudHour: Number.POSITIVE_INFINITY })).toHaveLength(0);
  });

  it('an hour counts up to its cap, and each new hour asks for a cap again', () => {
    const t = new CappedTally();
    const asked: number[] = [];
    const cap = (h: number) => {
      asked.push(h);
      return 3;
    };
    for (let i = 0; i < 10; i++) t.add(T0 + i * MIN, cap);
    expect(t.total).toBe(3);
    for (let i = 0; i < 2; i++) t.add(T0 + HOUR + i * MIN, cap);
    expect(t.total).toBe(5);
    expect(asked).toEqual([T0 / HOUR, T0 / HOUR + 1]);
  });

  it('the cap is twice the usual plus a Poisson margin; Infinity turns it off', () => {
    expect(loudHourCap(0, 2)).toBe(2);
    expect(loudHourCap(100, 2)).toBe(232);
    expect(loudHourCap(100, Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
  });
});
