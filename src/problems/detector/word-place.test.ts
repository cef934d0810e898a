import { describe, expect, it } from 'vitest';
import type { Decision } from './detector.js';
import { austinOutage, CITIES, complain, linkedTo, MIN } from './test-fixtures.js';

const AUSTIN = CITIES[2];
const SEATTLE = CITIES[5];
const WORDS = 'no internet since the router rebooted';

/*
 * Outside QA set, desk high-swing: a Florida outage's problem took the words of its complaints
 * naming no place ("internet", "modem", "fiber"). A word a problem owns links the complaints
 * using it, and a word is counted country-wide, so Philadelphia's and Albuquerque's own outage
 * complaints, place named, went into the Florida problem and were told of its fix. A problem
 * detected by its place takes through its words only complaints naming no place, or its place.
 */
function run() {
  const { det, start, austin, outage } = austinOutage();
  // Austin goes on complaining, and its customers naming no place write in their own words,
  // filed by triage under another topic: a word burst the problem takes as its own (as in
  // word-merge.test.ts).
  const later: Decision[] = [];
  austin(12, 30, later);
  for (let i = 0; i < 25; i++) {
    const at = start + 14 * MIN + i * 30_000;
    later.push(...complain(det, `np-${i}`, at, null, 'device', `${WORDS} ${i}`));
  }
  // Then, while those words are still mostly the trouble's, complaints naming places.
  const at = start + 28 * MIN;
  const placed: Decision[] = [];
  for (let i = 0; i < 4; i++) {
    const t = at + i * 20_000;
    placed.push(...complain(det, `se-${i}`, t, SEATTLE, 'device', `${WORDS} again`));
    placed.push(...complain(det, `au-late-${i}`, t + 5_000, AUSTIN, 'device', `${WORDS} again`));
    placed.push(...complain(det, `np-late-${i}`, t + 9_000, null, 'device', `${WORDS} again`));
  }
  return { outage, later, placed };
}

describe('problem detector: a place problem takes through its words only its place', () => {
  it('leaves another city’s complaints using its words, and takes its own and placeless ones', () => {
    const r = run();
    expect(r.outage).toHaveLength(1);
    expect(r.outage[0]).toMatchObject({ topic: 'outage', areaKey: 'p:US:78701' });
    const id = r.outage[0].problemId;
    // The burst naming no place became the problem's: its words are the problem's now.
    expect(r.later.some((d) => d.type === 'own' && d.problemId === id)).toBe(true);
    const took = [...linkedTo(r.placed, id)];
    expect(took.filter((c) => c.startsWith('se-'))).toEqual([]);
    expect(took.filter((c) => c.startsWith('au-late-')).length).toBe(4);
    expect(took.filter((c) => c.startsWith('np-late-')).length).toBeGreaterThan(0);
  });
});
