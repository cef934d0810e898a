import { describe, expect, it } from 'vitest';
import type { Area } from '../../triage/index.js';
import { toView } from '../problem.store.js';
import { type Decision, Detector } from './detector.js';
import {
  complain,
  HOUR,
  MIN,
  NO_WORD_BURSTS,
  raises,
  seeded,
  T0,
  TOPICS,
} from './test-fixtures.js';

/*
 * Few complainers name their postal code, so a ZIP's trouble stands out first in its city's
 * count. Those who do name one show where it is.
 */

const CITY: Record<string, { region: string; zip0: number }> = {
  Austin: { region: 'TX', zip0: 78701 },
  Houston: { region: 'TX', zip0: 77001 },
  Seattle: { region: 'WA', zip0: 98101 },
  Chicago: { region: 'IL', zip0: 60601 },
};

/** A place in a city; `zip` is the index of one of its 20 ZIP codes, or null for none. */
function at(city: string, zip: number | null): Area {
  const c = CITY[city];
  return {
    postalCode: zip === null ? null : String(c.zip0 + zip),
    city,
    region: c.region,
    country: 'US',
    confidence: 1,
  };
}

/** 30 hours of ordinary complaints spread over the four cities and their ZIPs (a third name one). */
function warmedCities() {
  // (Every complaint here shares one sentence: words are not what this tests.)
  const det = new Detector(NO_WORD_BURSTS);
  const out: Decision[] = [];
  const rnd = seeded(11);
  const names = Object.keys(CITY);
  for (let t = T0, n = 0; t < T0 + 30 * HOUR; n++) {
    t += Math.round(30_000 + rnd() * 90_000);
    const city = names[Math.floor(rnd() * names.length)];
    const area = rnd() < 0.2 ? null : at(city, rnd() < 0.35 ? Math.floor(rnd() * 20) : null);
    out.push(...complain(det, `bg-${n}`, t, area, TOPICS[Math.floor(rnd() * TOPICS.length)]));
  }
  return { det, out, start: T0 + 30 * HOUR };
}

/**
 * 45 network complaints in Austin over 45 minutes: three in five name the city, one in five
 * names no place, one in five a ZIP code (`zipOf(i)` for the i-th complaint).
 */
function trouble(zipOf: (i: number) => number) {
  const { det, out, start } = warmedCities();
  const mark = out.length;
  for (let i = 0; i < 45; i++) {
    const area = i % 5 === 4 ? at('Austin', zipOf(i)) : i % 5 === 3 ? null : at('Austin', null);
    out.push(...complain(det, `t-${i}`, start + i * MIN, area, 'network', 'no signal at all'));
  }
  return { det, ds: out.slice(mark) };
}

describe('problem detector: the place a problem shows', () => {
  it('shows the ZIP code its complainers name, and keeps counting in the city', () => {
    const { det, ds } = trouble(() => 7);
    const raised = raises(ds).filter((r) => r.topic === 'network');
    expect(raised).toHaveLength(1);
    const p = raised[0];
    expect(p.areaKey).toBe('t:US:TX:austin');
    const refines = ds.filter((d) => d.type === 'refine' && d.problemId === p.problemId);
    expect(refines.at(-1)).toMatchObject({
      areaKey: 't:US:TX:austin',
      area: { postalCode: '78708', city: 'Austin', region: 'TX', country: 'US' },
    });
    const view = det.problemViews().find((v) => v.id === p.problemId)!;
    expect(view.areaKey).toBe('t:US:TX:austin');
    expect(view.shownKey).toBe('p:US:78708');
    // A later complaint that names only the city still joins it.
    const late = complain(det, 'late', T0 + 30 * HOUR + 50 * MIN, at('Austin', null), 'network');
    expect(late).toContainEqual(expect.objectContaining({ type: 'link', problemId: p.problemId }));
  });

  it('keeps the city when its complainers name ZIP codes all over it', () => {
    const { ds } = trouble((i) => i % 20);
    const raised = raises(ds).filter((r) => r.topic === 'network');
    expect(raised).toHaveLength(1);
    expect(raised[0].area).toMatchObject({ postalCode: null, city: 'Austin' });
    expect(ds.some((d) => d.type === 'refine' && d.problemId === raised[0].problemId)).toBe(false);
  });

  it('keeps the city when only two complainers name the same ZIP code', () => {
    const { ds } = trouble((i) => (i < 10 ? 3 : 9 + (i % 11)));
    const raised = raises(ds).filter((r) => r.topic === 'network');
    expect(raised).toHaveLength(1);
    expect(ds.some((d) => d.type === 'refine' && d.problemId === raised[0].problemId)).toBe(false);
  });
});

describe('a problem shown narrower than it is counted, as storage gives it back', () => {
  it('keeps counting in its city and remembers the ZIP it shows', () => {
    const row = {
      id: 'p1',
      kind: 'area',
      status: 'suspected',
      topic: 'network',
      area_key: 't:US:TX:austin',
      area_json: JSON.stringify({
        postalCode: '78708',
        city: 'Austin',
        region: 'TX',
        country: 'US',
      }),
      signature_json: JSON.stringify({ keys: ['network@t:US:TX:austin'] }),
      last_event_at: T0,
      detected_at: T0,
      fixed_at: null,
      fixed_event_at: null,
    } as unknown as Parameters<typeof toView>[0];
    const view = toView(row);
    expect(view.areaKey).toBe('t:US:TX:austin');
    expect(view.chain).toEqual(['t:US:TX:austin', 'r:US:TX', 'all']);
    expect(view.shownKey).toBe('p:US:78708');
  });
});

describe("a problem raised on a state whose only city here is the trouble's", () => {
  it('shows the city, and the ZIP code its complainers name in it', () => {
    const { det, out, start } = warmedCities();
    const mark = out.length;
    const IL: Area = { postalCode: null, city: null, region: 'IL', country: 'US', confidence: 1 };
    // The first complainers name only the state, so its key stands out first; then Chicago
    // and one of its ZIP codes. Chicago is all of Illinois among this desk's customers: no test
    // of its usual share can show it stands out of the state.
    for (let i = 0; i < 8; i++)
      out.push(...complain(det, `il-${i}`, start + i * MIN, IL, 'network', 'no signal at all'));
    for (let i = 0; i < 30; i++)
      out.push(
        ...complain(
          det,
          `chi-${i}`,
          start + (8 + i) * MIN,
          at('Chicago', i % 2 ? 7 : null),
          'network',
          'no signal at all',
        ),
      );
    const ds = out.slice(mark);
    const raised = raises(ds).filter((r) => r.topic === 'network');
    expect(raised).toHaveLength(1);
    expect(raised[0].areaKey).toBe('r:US:IL');
    const view = det.problemViews().find((v) => v.id === raised[0].problemId)!;
    expect(view.shownKey).toBe('p:US:60608');
  });
});
