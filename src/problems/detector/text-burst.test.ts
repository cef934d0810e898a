import { describe, expect, it } from 'vitest';
import { type Decision, Detector } from './detector.js';
import { CITIES, everydayPlan, HOUR, MIN, raises, replay, T0, TOPICS } from './test-fixtures.js';

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

describe('problem detector: a word burst takes its burst, not the word’s everyday users', () => {
  it('links the burst’s complainers and none of the word’s users hours before', () => {
    const det = new Detector();
    const start = T0 + 50 * HOUR;
    // Everyday complaints, one every ten minutes, in words of their own.
    const plan = everydayPlan(start + 2 * HOUR);
    // The word's everyday users, one every 40 minutes all along (so its baseline knows it).
    for (let t = T0 + 7, i = 0; t < start + 2 * HOUR; t += 40 * MIN, i++)
      plan.push({
        id: `daily-${i}`,
        at: t,
        area: CITIES[i % CITIES.length],
        topic: TOPICS[i % TOPICS.length],
        text: `please call me back about my ${i % 2 ? 'order' : 'plan'}`,
      });
    // The burst: 25 customers in 25 minutes.
    for (let i = 0; i < 25; i++)
      plan.push({
        id: `burst-${i}`,
        at: start + HOUR + i * MIN,
        area: null,
        // Filed under several topics, as triage read them there (network, service, outage).
        topic: TOPICS[i % TOPICS.length],
        // "call" is the one word they share, as there ("call failed", "calls keep dropping").
        text: BURST[i % BURST.length],
      });
    const ds = replay(det, plan).flatMap((r) => r.ds);
    const text = raises(ds).filter((d) => d.kind === 'text');
    expect(text).toHaveLength(1);
    expect(text[0].keys).toEqual(['w:call']);
    const linked = new Set(
      ds
        .filter((d) => d.type === 'link' && d.problemId === text[0].problemId)
        .map((d) => (d as Extract<Decision, { type: 'link' }>).member.customerId),
    );
    const burst = [...linked].filter((c) => c.startsWith('burst-')).length;
    expect(burst).toBeGreaterThanOrEqual(23);
    // Everyday users of the word before the burst began (at most one within its hour).
    const before = plan.filter((e) => e.id.startsWith('daily-') && e.at < start + HOUR - 30 * MIN);
    expect(before.filter((e) => linked.has(e.id))).toEqual([]);
  });
});
