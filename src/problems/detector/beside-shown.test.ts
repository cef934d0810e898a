import { describe, expect, it } from 'vitest';
import type { Area } from '../../triage/index.js';
import { Detector } from './detector.js';
import { besideShown } from './link.js';
import {
  background,
  CITIES,
  complain,
  HOUR,
  MIN,
  NO_WORD_BURSTS,
  raises,
  T0,
} from './test-fixtures.js';
import type { Decision } from './types.js';

const place = (city: string | null, region = 'CA'): Area => ({
  postalCode: null,
  city,
  region,
  country: 'US',
  confidence: 1,
});
const SF = place('San Francisco');
const OAKLAND = place('Oakland');
const CA = place(null);

/**
 * The fixtures' desk with Oakland among its cities, three times as busy as each of the others,
 * so that California has two cities and San Francisco is a quarter of it.
 */
function desk() {
  const det = new Detector({ ...NO_WORD_BURSTS });
  const start = T0 + 30 * HOUR;
  background(det, T0, start, [], 'bg', [...CITIES, OAKLAND, OAKLAND, OAKLAND]);
  return { det, start };
}

describe('problem detector: a city beside the one a region problem settled on', () => {
  it('reads a place as beside the shown city only inside the region, finer than it', () => {
    const p = { areaKey: 'r:US:CA', shownKey: 't:US:CA:san francisco' };
    expect(besideShown(p, ['t:US:CA:oakland', 'r:US:CA', 'all'])).toBe(true);
    expect(besideShown(p, ['t:US:CA:san francisco', 'r:US:CA', 'all'])).toBe(false);
    expect(besideShown(p, ['r:US:CA', 'all'])).toBe(false);
    expect(besideShown(p, ['all'])).toBe(false);
    // Not settled, or settled on a postal code of its city: nothing is beside.
    expect(besideShown({ areaKey: 'r:US:CA', shownKey: 'r:US:CA' }, ['t:US:CA:oakland'])).toBe(
      false,
    );
    const zip = { areaKey: 't:US:CA:san francisco', shownKey: 'p:US:94110' };
    expect(besideShown(zip, ['p:US:94103', 't:US:CA:san francisco', 'r:US:CA', 'all'])).toBe(false);
  });

  it("raises a neighbouring city's trouble on its own, not into the settled problem", () => {
    const { det, start } = desk();
    const ds: Decision[] = [];
    // San Francisco's outage, first seen in complaints naming only the state.
    for (let i = 0; i < 5; i++) ds.push(...complain(det, `ca-${i}`, start + i * MIN, CA));
    for (let i = 0; i < 10; i++) ds.push(...complain(det, `sf-${i}`, start + (5 + i) * MIN, SF));
    const outage = raises(ds).find((d) => d.topic === 'outage');
    expect(outage?.areaKey).toBe('r:US:CA');
    const refined = ds.filter((d) => d.type === 'refine' && d.problemId === outage!.problemId);
    expect(refined.at(-1)).toMatchObject({ area: { city: 'San Francisco' } });
    // Half an hour later, Oakland's data stops working.
    const oak: Decision[] = [];
    for (let i = 0; i < 12; i++)
      oak.push(
        ...complain(det, `od-${i}`, start + (45 + 2 * i) * MIN, OAKLAND, 'network', 'no data'),
      );
    const intoOutage = oak.filter(
      (d) => d.type === 'link' && d.problemId === outage!.problemId,
    ).length;
    expect(intoOutage).toBe(0);
    const own = raises(oak).find((d) => d.topic === 'network');
    expect(own?.area?.city).toBe('Oakland');
  });
});
