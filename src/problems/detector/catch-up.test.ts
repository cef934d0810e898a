import { describe, expect, it } from 'vitest';
import type { Decision } from './detector.js';
import {
  CITIES,
  everydayEvents,
  HOUR,
  linkedTo,
  type Planned,
  raises,
  replay,
  seeded,
  warmed,
} from './test-fixtures.js';

/*
 * A sudden local trouble's first complaints naming no place: the country's key of their topic
 * still held hours of background when they came, so none passed on arrival. Outside-style desk,
 * draw c: a Phoenix network trouble of 537 customers in 50 minutes left 28 of them unlinked, all
 * written in its first 40 seconds, while later ones of the same words joined.
 */

const SEATTLE = CITIES[5];

function run() {
  const { det, start } = warmed();
  const plan: Planned[] = everydayEvents(seeded(3), start, start + 3 * HOUR);
  // Seattle, an hour on: 200 customers in 10 minutes, two in five naming no place.
  const from = start + HOUR;
  for (let i = 0; i < 200; i++)
    plan.push({
      id: `sea-${i}`,
      at: from + i * 3_000,
      area: i % 5 < 2 ? null : SEATTLE,
      topic: 'network',
    });
  const out: Decision[] = replay(det, plan).flatMap((e) => e.ds);
  const seattle = raises(out).find((r) => r.area?.city === 'Seattle');
  const linked = seattle ? linkedTo(out, seattle.problemId) : new Set<string>();
  const placeless = Array.from({ length: 200 }, (_, i) => i).filter((i) => i % 5 < 2);
  return {
    seattle,
    placeless: placeless.length,
    took: placeless.filter((i) => linked.has(`sea-${i}`)).length,
    firstTen: placeless.slice(0, 10).filter((i) => linked.has(`sea-${i}`)).length,
    // Everyday complaints naming no place that joined, by minutes before the burst began.
    everyday: plan
      .filter((e) => e.id.startsWith('day-') && !e.area && linked.has(e.id))
      .map((e) => (from - e.at) / 60_000),
  };
}

describe('problem detector: a sudden local trouble’s first complaints naming no place', () => {
  it('join its problem once later ones of their topic pass, and the everyday ones stay out', () => {
    const r = run();
    expect(r.seattle?.topic).toBe('network');
    expect(r.firstTen).toBe(10);
    expect(r.took).toBeGreaterThanOrEqual(0.95 * r.placeless);
    // The country's everyday ones of an hour: a few join as they did, none from well before.
    expect(r.everyday.length).toBeLessThanOrEqual(3);
    expect(r.everyday.filter((before) => before > 10)).toEqual([]);
  });
});
