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
} from './test-fixtures.js';

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
  plan.push(...burstPlan('first', 15, start + HOUR, 30_000, null, 'kestrel login keeps failing'));
  const here = 'kestrel login keeps failing here';
  plan.push(...burstPlan('atl', 100, start + HOUR + 8 * MIN, 12_000, ATLANTA, here));
  for (let t = start + HOUR + 30 * MIN, i = 0; t < start + 4 * HOUR; t += 5 * MIN, i++)
    plan.push({
      id: `tail-${i}`,
      at: t,
      area: ATLANTA,
      topic: 'account',
      text: 'login still failing',
    });
  // The second, 90 minutes in: 40 customers over 40 minutes, half of them naming a place.
  const place = (i: number) => (i % 2 ? secondPlaces[i % secondPlaces.length] : null);
  const portuguese = 'my voicemail greeting suddenly plays in portuguese';
  plan.push(...burstPlan('pt', 40, start + HOUR + 90 * MIN, MIN, place, portuguese, 2));
  const ds = replay(det, plan).flatMap((r) => r.ds);
  const text = raises(ds).filter((d) => d.kind === 'text');
  const linked = (id: string | undefined) => linkedTo(ds, id ?? '');
  const first = linked(text[0]?.problemId);
  const count = (set: Set<string>, re: RegExp) => [...set].filter((c) => re.test(c)).length;
  return { det, ds, text, first, linked, count };
}

describe('problem detector: a word burst elsewhere is not a young cluster’s other words', () => {
  it('raises another city’s burst of new words as its own cluster', () => {
    const { det, text, first, linked, count } = twoTroubles(CITIES.slice(0, 4));
    expect(text[0].areaKey).toBeNull();
    expect(count(first, /^(first|atl)-/)).toBeGreaterThanOrEqual(100);
    // It shows Atlanta, where its complainers are.
    expect(det.problemViews().find((v) => v.id === text[0].problemId)?.shownKey).toBe(
      `p:US:${ATLANTA.postalCode}`,
    );
    expect(count(first, /^pt-/)).toBe(0);
    expect(text).toHaveLength(2);
    expect(count(linked(text[1].problemId), /^pt-/)).toBeGreaterThanOrEqual(30);
  });

  it('still takes a burst of its other words where it is', () => {
    const { text, first, count } = twoTroubles([ATLANTA]);
    expect(text).toHaveLength(1);
    expect(count(first, /^pt-/)).toBeGreaterThanOrEqual(30);
  });
});
