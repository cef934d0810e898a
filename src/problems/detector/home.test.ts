import { describe, expect, it } from 'vitest';
import type { Area } from '../../triage/index.js';
import { type Decision, Detector } from './detector.js';
import {
  CITIES,
  complain,
  HOUR,
  MIN,
  raises,
  seeded,
  T0,
  TOPICS,
  warmed,
} from './test-fixtures.js';

/*
 * A trouble whose first complaints name no place is raised country-wide; where it really is
 * shows later, in the complaints that do name one.
 */

const NEW_YORK = CITIES[3];
const AUSTIN = CITIES[2];
const LINE_DOWN = 'your support line hangs up on me every time i call';

/** New York in one of five of its ZIP codes. */
const inNewYork = (i: number): Area => ({ ...NEW_YORK, postalCode: String(10001 + (i % 5)) });

/**
 * A business most of whose customers (six in seven) live in New York: 30 hours of their
 * ordinary complaints, a fifth naming no place.
 */
function newYorkBusiness() {
  const det = new Detector();
  const out: Decision[] = [];
  const rnd = seeded(3);
  for (let t = T0, n = 0; t < T0 + 30 * HOUR; n++) {
    t += Math.round(60_000 + rnd() * 120_000);
    const r = rnd();
    const area = r < 0.2 ? null : n % 7 ? inNewYork(n) : CITIES[n % 3];
    out.push(...complain(det, `bg-${n}`, t, area, TOPICS[Math.floor(rnd() * 6)]));
  }
  return { det, out, start: T0 + 30 * HOUR };
}

/**
 * 30 callers naming no place raise the support line's trouble; 40 more follow over the next
 * 40 minutes, every other one naming a place (`placeOf`). Then, two hours in, Austin's own
 * support line fails.
 */
function lineDown(placeOf: (i: number) => Area, { det, out, start } = warmed()): Decision[] {
  for (let i = 0; i < 30; i++)
    out.push(...complain(det, `u-${i}`, start + i * 30_000, null, 'service', LINE_DOWN));
  for (let i = 0; i < 40; i++) {
    const at = start + 15 * MIN + i * MIN;
    out.push(...complain(det, `c-${i}`, at, i % 2 ? null : placeOf(i), 'service', LINE_DOWN));
  }
  for (let i = 0; i < 25; i++) {
    const at = start + 2 * HOUR + i * 2 * MIN;
    out.push(...complain(det, `tx-${i}`, at, AUSTIN, 'service', 'support chat in austin is dead'));
  }
  return out;
}

describe('problem detector: where a country-wide problem really is', () => {
  it('moves a problem raised country-wide to the one place its complainers name', () => {
    const out = lineDown(inNewYork);
    const first = raises(out)[0];
    expect(first.areaKey).toBe('all');
    expect(first.topic).toBe('service');
    const moved = out.filter((d) => d.type === 'refine' && d.problemId === first.problemId);
    expect(moved).toHaveLength(1);
    expect(moved[0]).toMatchObject({ areaKey: 't:US:NY:new york', area: { city: 'New York' } });
    // So Austin's trouble later is not taken for New York's: it is a problem of its own.
    const austin = raises(out).filter((r) => r.problemId !== first.problemId);
    expect(austin).toHaveLength(1);
    expect(austin[0].area?.city).toBe('Austin');
  });

  it('leaves the place of a problem a person acted on to people', () => {
    const { det, out, start } = warmed();
    for (let i = 0; i < 30; i++)
      out.push(...complain(det, `u-${i}`, start + i * 30_000, null, 'service', LINE_DOWN));
    const first = raises(out)[0];
    expect(first.areaKey).toBe('all');
    // Someone confirmed it (or linked cases, merged...): the stored signature says human.
    det.syncProblems(det.problemViews().map((v) => ({ ...v, human: true })));
    for (let i = 0; i < 40; i++) {
      const at = start + 15 * MIN + i * MIN;
      out.push(...complain(det, `c-${i}`, at, i % 2 ? null : inNewYork(i), 'service', LINE_DOWN));
    }
    expect(out.filter((d) => d.type === 'refine')).toEqual([]);
    // Its complainers still link to it.
    const linked = out.filter((d) => d.type === 'link' && d.problemId === first.problemId);
    expect(linked.length).toBeGreaterThan(60);
  });

  it('keeps it country-wide when its complainers are all over the country', () => {
    const out = lineDown((i) => CITIES[i % CITIES.length]);
    const first = raises(out)[0];
    expect(first.areaKey).toBe('all');
    expect(out.some((d) => d.type === 'refine' && d.problemId === first.problemId)).toBe(false);
    // Austin's support line fails while the whole country's does: the same trouble.
    expect(raises(out)).toHaveLength(1);
  });

  it('keeps it country-wide when its complainers are where most customers live anyway', () => {
    // Six in seven of the business's customers are New Yorkers, and so are six in seven of
    // the placed callers: nothing says the trouble is New York's.
    const out = lineDown((i) => (i % 14 ? inNewYork(i) : AUSTIN), newYorkBusiness());
    const first = raises(out).find((r) => r.topic === 'service');
    expect(first?.areaKey).toBe('all');
    expect(out.some((d) => d.type === 'refine' && d.problemId === first?.problemId)).toBe(false);
  });

  it('moves a small one too, once six of its placed complainers say where', () => {
    // QA replay: a 15-complaint New Orleans outage at night was raised country-wide (its first
    // complaints named no place) and stayed "outage — US", 7 of its complainers naming the city.
    const nola: Area = {
      postalCode: null,
      city: 'New Orleans',
      region: 'LA',
      country: 'US',
      confidence: 1,
    };
    const { det, out, start } = warmed();
    for (let i = 0; i < 10; i++)
      out.push(
        ...complain(det, `u-${i}`, start + i * 2 * MIN, null, 'outage', 'power and internet out'),
      );
    const first = raises(out)[0];
    expect(first?.areaKey).toBe('all');
    for (let i = 0; i < 7; i++)
      out.push(
        ...complain(det, `n-${i}`, start + 25 * MIN + i * 4 * MIN, nola, 'outage', 'out here'),
      );
    const moved = out.filter((d) => d.type === 'refine' && d.problemId === first.problemId);
    expect(moved.at(-1)).toMatchObject({ areaKey: 't:US:LA:new orleans' });
  });
});
