import { describe, expect, it } from 'vitest';
import { drawIncidents } from './incident-mix.js';
import { Rng } from './prng.js';
import { getScenario } from './scenarios.js';

const draw = (seed: number, days = 28) => drawIncidents(new Rng(seed), days, { perWeek: 8 });

describe('drawIncidents (the eval scenario’s seed-drawn incidents)', () => {
  it('is deterministic by seed, differs across seeds and from week to week', () => {
    expect(JSON.stringify(draw(7))).toBe(JSON.stringify(draw(7)));
    expect(JSON.stringify(draw(8))).not.toBe(JSON.stringify(draw(7)));
    const weekShape = (d: ReturnType<typeof draw>, w: number) =>
      d
        .filter((s) => Math.floor(s.day / 7) === w)
        .map((s) => `${s.family}/${s.level}/${s.customers}/${(s.day % 7) * 24 + s.localHour}`)
        .join(',');
    const d = draw(7);
    expect(weekShape(d, 0)).not.toBe(weekShape(d, 1));
  });

  it('spreads size, area level, duration, start and kind of trouble', () => {
    const all = [1, 2, 3, 4, 5].flatMap((s) => draw(s));
    const sizes = all.map((s) => s.customers);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(8);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(5000);
    expect(sizes.filter((n) => n <= 20).length).toBeGreaterThan(5);
    expect(sizes.filter((n) => n > 1000).length).toBeGreaterThan(5);
    // One large incident per week bounds the load.
    expect(sizes.filter((n) => n > 600).length).toBeLessThanOrEqual(5 * 4);
    expect(new Set(all.map((s) => s.level))).toEqual(
      new Set(['postalCode', 'city', 'region', 'country']),
    );
    const hours = all.map((s) => s.durationHours);
    expect(Math.min(...hours)).toBeLessThan(1);
    expect(Math.max(...hours)).toBeGreaterThan(12);
    expect(Math.max(...hours)).toBeLessThanOrEqual(24);
    expect(new Set(all.map((s) => Math.floor(s.localHour / 6))).size).toBe(4);
    expect(new Set(all.map((s) => s.day % 7)).size).toBe(7);
    const unnamed = new Set(
      all.filter((s) => s.summary.includes('no known topic')).map((s) => s.family),
    );
    expect(unnamed.size).toBeGreaterThanOrEqual(3);
    // A ZIP holds few customers: no large incident is pinned to one.
    expect(all.some((s) => s.level === 'postalCode' && s.customers > 150)).toBe(false);
  });

  it('keeps every incident inside the window', () => {
    for (const s of draw(3, 28)) {
      // Local start plus the largest UTC offset (8 h) plus the duration ends by day 28.
      expect(s.day * 24 + s.localHour + 8 + s.durationHours).toBeLessThanOrEqual(28 * 24);
    }
    expect(getScenario('eval').mix).toBeDefined();
  });
});
