import { describe, expect, it } from 'vitest';
import type { Area } from '../../triage/index.js';
import type { DetectorConfig } from './config.js';
import { type Decision, Detector } from './detector.js';
import {
  background,
  CITIES,
  HOUR,
  linkedTo,
  MIN,
  type Planned,
  raises,
  replay,
  seeded,
  T0,
} from './test-fixtures.js';

/*
 * A desk's first hours: no key has history, and what is known of a place may be mostly the
 * trouble being tested (QA round 2: a 200-complaint Indianapolis outage in a desk's third hour
 * was never raised, a Sacramento one in its seventh hour ten hours late).
 */

const INDIANAPOLIS: Area = {
  postalCode: null,
  city: 'Indianapolis',
  region: 'IN',
  country: 'US',
  confidence: 1,
};

/**
 * An empty desk's background from T0 + 12 h (busy hours), and from `at` an hour-long outage in
 * a city the desk has hardly heard of: 80 customers, half naming no place.
 */
function outageIn(
  at: number,
  config: Partial<DetectorConfig> = {},
  from = T0 + 12 * HOUR,
  { customers = 80, topicOf = (_i: number): string => 'outage' } = {},
) {
  const det = new Detector(config);
  const out: Decision[] = [];
  const plan: Planned[] = [];
  const rnd = seeded(3);
  // Two customers of the city before, as any desk has a few of most places.
  plan.push({
    id: 'ind-early-0',
    at: T0 + 12 * HOUR + 20 * MIN,
    area: INDIANAPOLIS,
    topic: 'billing',
  });
  plan.push({
    id: 'ind-early-1',
    at: T0 + 12 * HOUR + 50 * MIN,
    area: INDIANAPOLIS,
    topic: 'device',
  });
  for (let i = 0; i < customers; i++)
    plan.push({
      id: `ind-${i}`,
      at: at + Math.round(i * 45_000 * (0.5 + rnd())),
      area: i % 2 ? null : INDIANAPOLIS,
      topic: topicOf(i),
    });
  const events = [...plan].sort((a, b) => a.at - b.at);
  let next = 0;
  // Background and the planned complaints in event-time order, a quarter hour at a time.
  for (let t = from; t < at + 3 * HOUR; t += 15 * MIN) {
    background(det, t, t + 15 * MIN, out, `bg-${t}`);
    const slice: Planned[] = [];
    while (next < events.length && events[next].at < t + 15 * MIN) slice.push(events[next++]);
    for (const { ds } of replay(det, slice)) out.push(...ds);
  }
  const r = raises(out).filter((x) => x.area?.city === 'Indianapolis');
  return { r, out };
}

describe('problem detector: a desk’s first hours', () => {
  it('raises an outage in a city it has hardly heard of, in its third hour', () => {
    const at = T0 + 15 * HOUR;
    const { r, out } = outageIn(at);
    expect(r).toHaveLength(1);
    expect(r[0].topic).toBe('outage');
    expect(r[0].at - at).toBeLessThanOrEqual(30 * MIN);
    expect(
      [...linkedTo(out, r[0].problemId)].filter((c) => c.startsWith('ind-')).length,
    ).toBeGreaterThanOrEqual(30);
  });

  it('raises an outage that triage splits between outage and network, by its topic group', () => {
    const at = T0 + 15 * HOUR;
    // 60 customers, the placed half read as outage and network by turns: 15 of each.
    const split = { customers: 60, topicOf: (i: number) => (i % 4 === 0 ? 'outage' : 'network') };
    const { r, out } = outageIn(at, {}, T0 + 12 * HOUR, split);
    expect(r).toHaveLength(1);
    expect(r[0].at - at).toBeLessThanOrEqual(45 * MIN);
    expect(
      [...linkedTo(out, r[0].problemId)].filter((c) => c.startsWith('ind-')).length,
    ).toBeGreaterThanOrEqual(20);
    // Control: each topic alone never gathers the cold test's 15 in an hour.
    expect(outageIn(at, { coldGroups: false }, T0 + 12 * HOUR, split).r).toHaveLength(0);
  });

  it('raises it promptly right after the warm-up, as the day starts', () => {
    // The desk opens at night (its first six hours quiet); the outage comes with the day.
    const from = T0 + 6 * HOUR;
    const at = T0 + 12 * HOUR + 10 * MIN;
    const { r } = outageIn(at, {}, from);
    expect(r).toHaveLength(1);
    expect(r[0].at - at).toBeLessThanOrEqual(30 * MIN);
  });

  it('raises nothing on the first hours of a desk whose traffic is mostly one city', () => {
    const det = new Detector();
    const out: Decision[] = [];
    const rnd = seeded(11);
    const topics = ['network', 'billing', 'outage', 'device', 'service'];
    const plan: Planned[] = [];
    for (let t = T0 + 12 * HOUR, n = 0; t < T0 + 24 * HOUR; t += 40_000, n++)
      plan.push({
        id: `nyc-${n}`,
        at: t,
        area: rnd() < 0.6 ? CITIES[3] : rnd() < 0.5 ? null : CITIES[Math.floor(rnd() * 6)],
        topic: topics[Math.floor(rnd() * topics.length)],
      });
    for (const { ds } of replay(det, plan)) out.push(...ds);
    expect(raises(out)).toEqual([]);
  });
});
