import { describe, expect, it } from 'vitest';
import { type Decision, Detector } from './detector.js';
import { CITIES, HOUR, MIN, type Planned, raises, replay, T0, TOPICS } from './test-fixtures.js';

/*
 * Simulator, seed 1: a Denver email outage (no topic names it, 5,030 complaints) was raised as a
 * text cluster on "kestrel", the provider's name in half its complaints. The other half said
 * "No new mail since 4:20 AM. Is your email server down?": words the cluster's own complainers
 * used too ("email", "server"), so those words' bursts were mostly the cluster's already and
 * were never raised, nor owned by it. Such complaints naming a place had no way in, and 303 of
 * the 514 were never linked or told of the fix. A text cluster owns the words whose burst is
 * mostly its complainers'.
 */
describe('problem detector: a text cluster owns the other words of its burst', () => {
  it('links complaints that share its words but not the one it was raised on', () => {
    const det = new Detector();
    const start = T0 + 50 * HOUR;
    const plan: Planned[] = [];
    // Everyday complaints, one every ten minutes, in words of their own.
    for (let t = T0, i = 0; t < start + 2 * HOUR; t += 10 * MIN, i++)
      plan.push({
        id: `bg-${i}`,
        at: t,
        area: i % 3 ? CITIES[i % CITIES.length] : null,
        topic: TOPICS[Math.floor(i / CITIES.length) % TOPICS.length],
        text: 'my bill is wrong again this month',
      });
    // Everyday complaints, one every 6 minutes, a quarter of them with each mail word: a burst
    // of those words stands out later than one of the provider's name, which nobody writes on
    // an ordinary day.
    for (let t = T0 + 7, i = 0; t < start + 2 * HOUR; t += 6 * MIN, i++)
      plan.push({
        id: `daily-${i}`,
        at: t,
        area: CITIES[i % CITIES.length],
        topic: TOPICS[Math.floor(i / CITIES.length) % TOPICS.length],
        text: [
          'please change the email on my account',
          'your server sent me a wrong bill',
          'please change the address on my account',
          'the store sent me a wrong bill',
        ][i % 4],
      });
    // The trouble: 15 customers naming no place write only the provider's name...
    for (let i = 0; i < 15; i++)
      plan.push({
        id: `first-${i}`,
        at: start + HOUR + i * 30_000,
        area: null,
        topic: TOPICS[i % TOPICS.length],
        text: 'kestrel is down again',
      });
    // ...then, for 20 minutes, 200 more name it along with the mail words...
    for (let i = 0; i < 200; i++)
      plan.push({
        id: `named-${i}`,
        at: start + HOUR + 8 * MIN + i * 6_000,
        area: null,
        topic: TOPICS[i % TOPICS.length],
        text: 'my kestrel email server is down again',
      });
    // ...and 80 in six cities use the mail words only.
    for (let i = 0; i < 80; i++)
      plan.push({
        id: `unnamed-${i}`,
        at: start + HOUR + 8 * MIN + i * 15_000 + 1_000,
        area: CITIES[i % CITIES.length],
        topic: TOPICS[(i + 1) % TOPICS.length],
        text: 'is your email server down again?',
      });
    const ds = replay(det, plan).flatMap((r) => r.ds);
    const raised = raises(ds);
    expect(raised).toHaveLength(1);
    expect(raised[0].kind).toBe('text');
    const id = raised[0].problemId;
    const linked = new Set(
      ds.flatMap((d: Decision) =>
        d.type === 'link' && d.problemId === id ? [d.member.customerId] : [],
      ),
    );
    expect([...linked].filter((c) => /^(first|named)-/.test(c)).length).toBeGreaterThanOrEqual(200);
    expect([...linked].filter((c) => c.startsWith('unnamed-')).length).toBeGreaterThanOrEqual(70);
    // Nor the words' everyday users from before the trouble (its own burst's, not the word's).
    const at = new Map(plan.map((p) => [p.id, p.at]));
    expect([...linked].filter((c) => at.get(c)! < start + HOUR)).toEqual([]);
  });
});
