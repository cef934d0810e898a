import { describe, expect, it } from 'vitest';
import type { Area } from '../../triage/index.js';
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
 * Simulator, seed 1: a Denver email outage (no topic names it, 5,030 complaints) was raised as a
 * text cluster on "kestrel", the provider's name in half its complaints. The other half said
 * "No new mail since 4:20 AM. Is your email server down?": words the cluster's own complainers
 * used too ("email", "server"), so those words' bursts were mostly the cluster's already and
 * were never raised, nor owned by it. Such complaints naming a place had no way in, and 303 of
 * the 514 were never linked or told of the fix. A text cluster owns the words whose burst is
 * mostly its complainers'.
 */
/** A mail trouble raised on the provider's name, and 80 complainers using only its other words. */
function mailTrouble(clusterPlace: Area | null, otherPlaces: readonly Area[]) {
  const det = new Detector();
  const start = T0 + 50 * HOUR;
  // Everyday complaints, one every ten minutes, in words of their own.
  const plan = everydayPlan(start + 2 * HOUR);
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
  // The trouble: 15 customers write only the provider's name; then, for 20 minutes, 200 more
  // name it along with the mail words, and 80 use the mail words only.
  const at = start + HOUR;
  plan.push(...burstPlan('first', 15, at, 30_000, clusterPlace, 'kestrel is down again'));
  const named = 'my kestrel email server is down again';
  plan.push(...burstPlan('named', 200, at + 8 * MIN, 6_000, clusterPlace, named));
  const other = (i: number) => otherPlaces[i % otherPlaces.length];
  const unnamed = 'is your email server down again?';
  plan.push(...burstPlan('unnamed', 80, at + 8 * MIN + 1_000, 15_000, other, unnamed, 1));
  const ds = replay(det, plan).flatMap((r) => r.ds);
  const cluster = raises(ds).filter((d) => d.kind === 'text');
  const id = cluster[0]?.problemId;
  const linked = linkedTo(ds, id ?? '');
  const count = (re: RegExp) => [...linked].filter((c) => re.test(c)).length;
  return { ds, cluster, linked, count, plan, start };
}

describe('problem detector: a text cluster owns the other words of its burst', () => {
  it('links complaints that share its words but not the one it was raised on', () => {
    const { ds, cluster, count, linked, plan, start } = mailTrouble(null, CITIES);
    expect(raises(ds)).toHaveLength(1);
    expect(cluster).toHaveLength(1);
    expect(count(/^(first|named)-/)).toBeGreaterThanOrEqual(200);
    expect(count(/^unnamed-/)).toBeGreaterThanOrEqual(70);
    // Nor the words' everyday users from before the trouble (its own burst's, not the word's).
    const at = new Map(plan.map((p) => [p.id, p.at]));
    expect([...linked].filter((c) => at.get(c)! < start + HOUR)).toEqual([]);
  });

  /*
   * Simulator, seed 8: a San Diego mail cluster owning "email" that way took 227 complaints of
   * a Los Angeles mail trouble that began beside it. Another city's burst of the words is not
   * the cluster's trouble.
   */
  it('leaves another city’s burst of those words alone', () => {
    const { cluster, count } = mailTrouble(CITIES[4], [CITIES[5]]);
    expect(cluster[0]?.area?.city).toBe('Atlanta');
    expect(count(/^(first|named)-/)).toBeGreaterThanOrEqual(200);
    expect(count(/^unnamed-/)).toBe(0);
  });
});
