import { describe, expect, it } from 'vitest';
import { RegionalSeasons, regionOffset } from './region-clock.js';
import { SeasonalProfile } from './seasonal.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 2, 3);

/** Complaints by local hour: quiet at night, loud in the evening (as people complain). */
const perLocalHour = (h: number) => (h >= 17 && h <= 22 ? 12 : h >= 8 ? 6 : 1);

/** `hours` of an Eastern desk (New York's clock), and Hawaii's first complaint at the end. */
function easternDesk(hours: number) {
  const country = new SeasonalProfile();
  const regions = new RegionalSeasons(country);
  for (let h = 0; h < hours; h++) {
    const local = (((h - 5) % 24) + 24) % 24;
    for (let i = 0; i < perLocalHour(local); i++) {
      const at = T0 + h * HOUR + i * 60_000;
      country.add(at);
      regions.add('r:US:NY', at);
    }
  }
  regions.add('r:US:HI', T0 + (hours - 1) * HOUR);
  return { country, regions, now: T0 + hours * HOUR };
}

describe('a region without its own daily shape', () => {
  // QA: before a region's own profile was ready it took the country's as is, whose night trough
  // (01:00 Eastern) falls on Hawaii's evening peak; Honolulu evenings raised false problems.
  it("reads the country's shape on its own clock", () => {
    // Three days of an Eastern desk; Hawaii's first complaint comes only at the end.
    const { country, regions, now } = easternDesk(72);
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

  // QA: Honolulu evenings in hours 25 and 47 of a desk, before any profile had two days.
  it("far from the country's clock, reads the country's first day on its own clock", () => {
    const { country, regions, now } = easternDesk(30);
    expect(country.ready()).toBe(false);
    const evening = T0 + 24 * HOUR + 6 * HOUR;
    expect(country.integrate(evening, evening + HOUR)).toBe(1);
    // Hawaii's 20:00 reads the country's 20:00 Eastern, taken halfway to flat (one day).
    expect(regions.of('r:US:HI', now).integrate(evening, evening + HOUR)).toBeGreaterThan(1.3);
    // Texas, an hour from the country's clock, has the share baseline on its clock: flat.
    regions.add('r:US:TX', now - HOUR);
    expect(regions.shiftOf('r:US:TX')).toBe(-1);
    expect(regions.of('r:US:TX', now).integrate(evening, evening + HOUR)).toBe(1);
  });
});
