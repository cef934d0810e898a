import { describe, expect, it } from 'vitest';
import { type Decision, Detector } from './detector.js';
import { CITIES, everydayPlan, HOUR, MIN, raises, replay, T0, TOPICS } from './test-fixtures.js';

const ATLANTA = CITIES[4];

/*
 * Outside-style set, tuned-on draw, mid-2: a login trouble's "failing" burst was raised as a text
 * cluster counted country-wide and showing Sacramento, where its complainers were. 2 h 44 min
 * later a burst of "portuguese" (voicemail greetings switched language, from Austin, Boston,
 * Dallas…) was taken as that cluster's other words (`sameTrouble`: a young cluster names no
 * topic, so any word burst was its trouble), and all 39 of its complainers were linked to the
 * login trouble. A word burst whose complainers naming a place are mostly elsewhere than the
 * place a cluster shows is another trouble.
 */
function twoTroubles(secondPlaces: readonly (typeof CITIES)[number][]) {
  const det = new Detector();
  const start = T0 + 50 * HOUR;
  const plan = everydayPlan(start + 4 * HOUR);
  // The first trouble: 15 customers naming no place, then 100 in Atlanta, then a slow tail.
  for (let i = 0; i < 15; i++)
    plan.push({
      id: `first-${i}`,
      at: start + HOUR + i * 30_000,
      area: null,
      topic: TOPICS[i % TOPICS.length],
      text: 'kestrel login keeps failing',
    });
  for (let i = 0; i < 100; i++)
    plan.push({
      id: `atl-${i}`,
      at: start + HOUR + 8 * MIN + i * 12_000,
      area: ATLANTA,
      topic: TOPICS[i % TOPICS.length],
      text: 'kestrel login keeps failing here',
    });
  for (let t = start + HOUR + 30 * MIN, i = 0; t < start + 4 * HOUR; t += 5 * MIN, i++)
    plan.push({
      id: `tail-${i}`,
      at: t,
      area: ATLANTA,
      topic: 'account',
      text: 'login still failing',
    });
  // The second, 90 minutes in: 40 customers over 40 minutes, half of them naming a place.
  for (let i = 0; i < 40; i++)
    plan.push({
      id: `pt-${i}`,
      at: start + HOUR + 90 * MIN + i * MIN,
      area: i % 2 ? secondPlaces[i % secondPlaces.length] : null,
      topic: TOPICS[(i + 2) % TOPICS.length],
      text: 'my voicemail greeting suddenly plays in portuguese',
    });
  const ds = replay(det, plan).flatMap((r) => r.ds);
  const text = raises(ds).filter((d) => d.kind === 'text');
  const linkedTo = (id: string | undefined) =>
    new Set(
      ds.flatMap((d: Decision) =>
        d.type === 'link' && d.problemId === id ? [d.member.customerId] : [],
      ),
    );
  const first = linkedTo(text[0]?.problemId);
  const count = (set: Set<string>, re: RegExp) => [...set].filter((c) => re.test(c)).length;
  return { det, ds, text, first, linkedTo, count };
}

describe('problem detector: a word burst elsewhere is not a young cluster’s other words', () => {
  it('raises another city’s burst of new words as its own cluster', () => {
    const { det, text, first, linkedTo, count } = twoTroubles(CITIES.slice(0, 4));
    expect(text[0].areaKey).toBeNull();
    expect(count(first, /^(first|atl)-/)).toBeGreaterThanOrEqual(100);
    // It shows Atlanta, where its complainers are.
    expect(det.problemViews().find((v) => v.id === text[0].problemId)?.shownKey).toBe(
      `p:US:${ATLANTA.postalCode}`,
    );
    expect(count(first, /^pt-/)).toBe(0);
    expect(text).toHaveLength(2);
    expect(count(linkedTo(text[1].problemId), /^pt-/)).toBeGreaterThanOrEqual(30);
  });

  it('still takes a burst of its other words where it is', () => {
    const { text, first, count } = twoTroubles([ATLANTA]);
    expect(text).toHaveLength(1);
    expect(count(first, /^pt-/)).toBeGreaterThanOrEqual(30);
  });
});
