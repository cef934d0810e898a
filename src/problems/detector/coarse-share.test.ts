import { describe, expect, it } from 'vitest';
import type { Decision } from './detector.js';
import {
  CITIES,
  HOUR,
  linkedTo,
  MIN,
  type Planned,
  raises,
  replay,
  warmed,
} from './test-fixtures.js';

/*
 * Complaints naming no place are shared between the live problems of their topic by what each
 * problem's own place shows. Outside-style desk mid-1: a 321-customer Florida outage took over
 * the country's outage key; four hours later, with Florida's late reporters still trickling in,
 * a 374-customer San Diego outage began, and the Florida problem's claim on that key was the
 * key's whole excess (San Diego's own complaints), so San Diego's problem got 13 of its 227
 * complaints naming no place.
 */

const CHICAGO = CITIES[1];
const SEATTLE = CITIES[5];

function run() {
  const { det, start } = warmed();
  const plan: Planned[] = [];
  // Chicago: 150 customers in 30 minutes, 60 % naming no place; then a late reporter naming
  // Chicago every 30 minutes for 7 hours.
  for (let i = 0; i < 150; i++)
    plan.push({
      id: `chi-${i}`,
      at: start + i * 12_000,
      area: i % 5 < 2 ? CHICAGO : null,
      topic: 'outage',
    });
  for (let i = 0; i < 14; i++)
    plan.push({
      id: `chi-late-${i}`,
      at: start + 30 * MIN + i * 30 * MIN,
      area: CHICAGO,
      topic: 'outage',
    });
  // Seattle, 5 hours later: 100 customers in 40 minutes, half naming no place.
  const from = start + 5 * HOUR;
  for (let i = 0; i < 100; i++)
    plan.push({
      id: `sea-${i}`,
      at: from + i * 24_000,
      area: i % 2 === 0 ? SEATTLE : null,
      topic: 'outage',
    });
  const out: Decision[] = replay(det, plan).flatMap((e) => e.ds);
  // Chicago's burst is raised on the country's key, then shown in Chicago (`refine`).
  const chicago = raises(out).find((r) => r.at < from);
  const seattle = raises(out).find((r) => r.area?.city === 'Seattle');
  const placeless = (ids: Set<string>) =>
    [...ids].filter((id) => /^sea-\d+$/.test(id) && Number(id.slice(4)) % 2 === 1).length;
  return {
    chicago,
    seattle,
    chicagoOwnsCountry: !!chicago?.keys.includes('outage@all'),
    chicagoShown: out.some(
      (d) =>
        d.type === 'refine' && d.problemId === chicago?.problemId && d.area?.city === 'Chicago',
    ),
    seattleTook: seattle ? placeless(linkedTo(out, seattle.problemId)) : 0,
    chicagoTook: chicago ? placeless(linkedTo(out, chicago.problemId)) : 0,
  };
}

describe('problem detector: complaints naming no place, two live problems of one topic', () => {
  it('go to the problem whose own place explains them, not to one that holds the country key', () => {
    const r = run();
    expect(r.chicago?.topic).toBe('outage');
    expect(r.seattle?.topic).toBe('outage');
    // The situation this is about: Chicago's problem took over the country's outage key.
    expect(r.chicagoOwnsCountry).toBe(true);
    expect(r.chicagoShown).toBe(true);
    // Seattle's 50 complainers naming no place: before, neither problem took any (Chicago's claim
    // on the country key was the key's whole excess, Seattle's own complaints included).
    expect(r.seattleTook).toBeGreaterThanOrEqual(20);
    expect(r.chicagoTook).toBeLessThanOrEqual(5);
  });
});
