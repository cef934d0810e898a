import { describe, expect, it } from 'vitest';
import { Detector } from './detector.js';
import {
  burstPlan,
  CITIES,
  everydayPlan,
  HOUR,
  linkedTo,
  MIN,
  raises,
  replay,
  T0,
  TOPICS,
} from './test-fixtures.js';

/*
 * Outside-style set, draw c, desk mid-3: a burst of "call" (dropped calls in Washington, DC) was
 * raised on its last hour and took every complaint using the word in the key's 12-hour window:
 * voicemail transcripts ("… calling about my account") and "please call me back" signatures, 70
 * of its 172 cases. A text cluster takes its burst: where the word's excess began.
 */
const BURST = [
  'call failed, call failed',
  'every call drops after ten seconds',
  'cant finish a single phone call',
  'is there a problem with the call quality, it just cuts off',
  'my call keeps dropping since noon',
];

/**
 * A burst of "call" (25 customers in 25 minutes from `start + HOUR`) amid the word's everyday
 * users (one every `every` ms, all along until `until`), and what the cluster raised on it linked.
 */
function callBurst(until: number, every: number) {
  const det = new Detector();
  const start = T0 + 50 * HOUR;
  // Everyday complaints, one every ten minutes, in words of their own.
  const plan = everydayPlan(until);
  // The word's everyday users (so its baseline knows it).
  for (let t = T0 + 7, i = 0; t < until; t += every, i++)
    plan.push({
      id: `daily-${i}`,
      at: t,
      area: CITIES[i % CITIES.length],
      topic: TOPICS[i % TOPICS.length],
      text: `please call me back about my ${i % 2 ? 'order' : 'plan'}`,
    });
  // Naming no place, filed under several topics as triage read them there (network, service,
  // outage); "call" is the one word they share, as there ("call failed", "calls keep dropping").
  const said = (i: number) => BURST[i % BURST.length];
  plan.push(...burstPlan('burst', 25, start + HOUR, MIN, null, said));
  const ds = replay(det, plan).flatMap((r) => r.ds);
  const text = raises(ds).filter((d) => d.kind === 'text');
  const linked = linkedTo(ds, text[0]?.problemId ?? '');
  const daily = (from: number, to: number) =>
    plan.filter((e) => e.id.startsWith('daily-') && e.at >= from && e.at < to);
  return { text, linked, daily, start };
}

describe('problem detector: a word burst takes its burst, not the word’s everyday users', () => {
  it('links the burst’s complainers and none of the word’s users hours before', () => {
    const { text, linked, daily, start } = callBurst(T0 + 52 * HOUR, 40 * MIN);
    expect(text).toHaveLength(1);
    expect(text[0].keys).toEqual(['w:call']);
    const burst = [...linked].filter((c) => c.startsWith('burst-')).length;
    expect(burst).toBeGreaterThanOrEqual(23);
    // Everyday users of the word before the burst began (at most one within its hour).
    expect(daily(0, start + HOUR - 30 * MIN).filter((e) => linked.has(e.id))).toEqual([]);
  });

  /*
   * Outside-style set, draws b and c: a word cluster's 4-hour window still holds its burst for
   * hours after the burst is over, while the word's users are its everyday ones again. Judged
   * over the word's last hour too, they stay out.
   */
  it('leaves the word’s everyday users alone once its burst is over', () => {
    const { text, linked, daily, start } = callBurst(T0 + 55 * HOUR, 15 * MIN);
    expect(text).toHaveLength(1);
    expect([...linked].filter((c) => c.startsWith('burst-')).length).toBeGreaterThanOrEqual(23);
    // From an hour after the burst's last complaint, within the word's 4-hour window of it.
    const after = daily(start + HOUR + 85 * MIN, start + 5 * HOUR);
    expect(after.length).toBeGreaterThanOrEqual(10);
    expect(after.filter((e) => linked.has(e.id))).toEqual([]);
  });
});
