import { describe, expect, it } from 'vitest';
import { RegionalSeasons, regionOffset } from './region-clock.js';
import { SeasonalProfile } from './seasonal.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 2, 3);

/** Complaints by local hour: quiet at night, loud in the evening (as people complain). */
const perLocalHour = (h: number) => (h >= 17 && h <= 22 ? 12 : h >= 8 ? 6 : 1);

describe('a region without its own daily shape', () => {
  // QA: before a region's own profile was ready it took the country's as is, whose night trough
  // (01:00 Eastern) falls on Hawaii's evening peak; Honolulu evenings raised false problems.
  it("reads the country's shape on its own clock", () => {
    const country = new SeasonalProfile();
    const regions = new RegionalSeasons(country);
    // Three days of an Eastern desk; Hawaii's first complaint comes only at the end.
    for (let h = 0; h < 72; h++) {
      const local = (((h - 5) % 24) + 24) % 24;
      for (let i = 0; i < perLocalHour(local); i++) {
        const at = T0 + h * HOUR + i * 60_000;
        country.add(at);
        regions.add('r:US:NY', at);
      }
    }
    regions.add('r:US:HI', T0 + 71 * HOUR);
    const now = T0 + 72 * HOUR;
    expect(regionOffset('r:US:HI')).toBe(-10);
    expect(regions.shiftOf('r:US:HI')).toBe(-5);
    // 20:00 in Honolulu is 06:00 UTC, 01:00 in New York: the country is quiet then, Hawaii not.
    const evening = T0 + 3 * 24 * HOUR + 6 * HOUR;
    expect(country.integrate(evening, evening + HOUR)).toBeLessThan(0.5);
    const hawaii = regions.of('r:US:HI', now).integrate(evening, evening + HOUR);
    expect(hawaii).toBeGreaterThan(1.5);
    expect(hawaii).toBeCloseTo(country.integrate(evening - 5 * HOUR, evening - 4 * HOUR), 6);
    // New York has its own shape by now, and a region of no known zone keeps the country's.
    expect(regions.of('r:US:NY', now)).not.toBe(country);
    expect(regions.of('r:CA:ON', now).integrate(evening, evening + HOUR)).toBeCloseTo(
      country.integrate(evening, evening + HOUR),
      6,
    );
  });
});
