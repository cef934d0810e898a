import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTOR_CONFIG, type DetectorConfig } from './config.js';
import { type Decision, Detector } from './detector.js';
import {
  CITIES,
  HOUR,
  linkedTo,
  MIN,
  type Planned,
  raises,
  replay,
  seeded,
  T0,
  TOPICS,
} from './test-fixtures.js';

/*
 * Outside-style desk high-steady: a 1,200-customer Texas outage's customers naming no place wrote
 * "whole street lost internet". Their word burst (`w:street`, no topic) read like none of the
 * outage's complaints, so `sameTrouble` did not join it to the nine-minute-old outage problem,
 * and it became a second problem holding 242 of the outage's cases. A burst that triage filed
 * under the problem's own topic, whose complaints naming a place name the problem's, is joined.
 */

const AUSTIN = CITIES[2];
const ELSEWHERE = [CITIES[0], CITIES[1], CITIES[3], CITIES[4], CITIES[5]];

/**
 * A busy desk: 60 complaints an hour, half of them outages (so the country's outage key has a
 * large background, and 60 more in a quarter hour are only a third of its last 4 hours).
 */
function busy(from: number, to: number): Planned[] {
  const rnd = seeded(11);
  const out: Planned[] = [];
  for (let t = from, n = 0; t < to; t += Math.round(2 * MIN * (0.5 + rnd())), n++) {
    const outage = rnd() < 0.5;
    out.push({
      id: `bg-${n}`,
      at: t,
      area: rnd() < 0.3 ? null : CITIES[Math.floor(rnd() * CITIES.length)],
      topic: outage ? 'outage' : TOPICS[Math.floor(rnd() * TOPICS.length)],
      text: outage ? 'my phone has no signal at all today' : 'my bill is wrong again this month',
    });
  }
  return out;
}

function run(
  burstPlaces: 'none' | 'austin' | 'elsewhere',
  config: Partial<DetectorConfig> = {},
  { burstTopic = 'outage', austinNetwork = 0 } = {},
) {
  const det = new Detector({
    text: { ...DEFAULT_DETECTOR_CONFIG.text, warmupMs: 6 * HOUR },
    ...config,
  });
  const start = T0 + 30 * HOUR;
  const plan = busy(T0, start + 2 * HOUR);
  // Austin's outage: a customer a minute for 40 minutes, in the words of the desk's outages.
  for (let i = 0; i < 40; i++)
    plan.push({
      id: `au-${i}`,
      at: start + i * MIN,
      area: AUSTIN,
      // (`austinNetwork`: every n-th filed as network, a trouble triage spreads over topics.)
      topic: austinNetwork && i % austinNetwork === 0 ? 'network' : 'outage',
      text: 'my phone has no signal at all today',
    });
  // From 15 minutes in, 60 outage complaints in 15 minutes in new words: too few against the
  // country key's busy background to join Austin through it, a word burst of their own. One in
  // six names a place (Austin, or five other cities), or none does.
  for (let i = 0; i < 60; i++)
    plan.push({
      id: `st-${i}`,
      at: start + 15 * MIN + i * 15_000,
      area:
        i % 6 !== 0 || burstPlaces === 'none'
          ? null
          : burstPlaces === 'austin'
            ? AUSTIN
            : ELSEWHERE[(i / 6) % 5],
      topic: burstTopic,
      text: `whole street lost internet, every house on the block ${i}`,
    });
  // With Austin's: a Chicago customer used the same words a little before (the burst's key
  // holds them).
  if (burstPlaces === 'austin')
    plan.push({
      id: 'chi-0',
      at: start + 3 * MIN,
      area: CITIES[1],
      topic: 'outage',
      text: 'whole street lost internet, every house on the block here',
    });
  const fed = replay(det, plan);
  const out: Decision[] = fed.flatMap((e) => e.ds);
  const outage = raises(out).filter((d) => d.area?.city === 'Austin');
  const id = outage[0]?.problemId;
  const linked = id ? [...linkedTo(out, id)] : [];
  const took = linked.filter((c) => c.startsWith('st-')).length;
  const tookChicago = linked.filter((c) => c.startsWith('chi-')).length;
  const later = fed.filter((e) => e.at >= start + 15 * MIN).flatMap((e) => e.ds);
  return { outage, later, took, tookChicago };
}

describe('problem detector: a word burst filed under a young local problem’s own topic', () => {
  it('joins the problem, however it reads', () => {
    const r = run('none');
    expect(r.outage).toHaveLength(1);
    expect(r.outage[0]).toMatchObject({ topic: 'outage', areaKey: 'p:US:78701' });
    expect(raises(r.later)).toHaveLength(0);
    expect(r.took).toBeGreaterThanOrEqual(40);
  });

  it('takes the word’s complainers in its place and those naming none, not another city’s', () => {
    // (Some of the burst names Austin: it is the outage's by its place, `own` of its word key.)
    const r = run('austin');
    expect(r.later.some((d) => d.type === 'own' && d.problemId === r.outage[0].problemId)).toBe(
      true,
    );
    expect(r.took).toBeGreaterThanOrEqual(40);
    expect(r.tookChicago).toBe(0);
  });

  it('became a problem of its own without the rule (the control)', () => {
    const r = run('none', { burstByTopic: false });
    expect(raises(r.later).filter((d) => d.kind === 'text')).toHaveLength(1);
    expect(r.took).toBeLessThan(30);
  });

  it('is not joined when its complaints naming a place name other cities', () => {
    const r = run('elsewhere');
    expect(r.outage).toHaveLength(1);
    expect(r.took).toBeLessThan(30);
  });

  it('joins when filed under a topic the problem’s complaints are partly filed under', () => {
    // A fifth of Austin's complaints are filed as network, and the whole burst is.
    const mixed = run('none', {}, { burstTopic: 'network', austinNetwork: 5 });
    expect(raises(mixed.later)).toHaveLength(0);
    expect(mixed.took).toBeGreaterThanOrEqual(40);
    // None of them: a network burst is another trouble (as an eSIM error burst filed as device
    // beside an outage, word-merge.test.ts).
    const pure = run('none', {}, { burstTopic: 'network' });
    expect(pure.took).toBeLessThan(30);
  });

  it('joins when filed under a related topic, coming with the raise from the problem’s place', () => {
    // Outside-style desk high-swing: a Florida outage's "modem keeps saying no sync", filed as
    // device, five minutes after the raise. Here, device and within 15 minutes of Austin's raise,
    // one in six naming Austin.
    const withPlace = run('austin', {}, { burstTopic: 'device' });
    expect(raises(withPlace.later).filter((d) => d.kind === 'text')).toHaveLength(0);
    expect(withPlace.took).toBeGreaterThanOrEqual(40);
    // Naming other cities, or no place at all: another trouble that began meanwhile.
    expect(run('elsewhere', {}, { burstTopic: 'device' }).took).toBeLessThan(30);
    expect(run('none', {}, { burstTopic: 'device' }).took).toBeLessThan(30);
  });
});
