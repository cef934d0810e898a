import { SeasonalProfile } from './seasonal.js';

/**
 * Standard-time UTC offsets (hours) of US states and territories; a state across two zones has
 * its more populous one's. Daylight saving time is left out: the country's clock is read
 * relative to its own weighted offset (`RegionalSeasons.shiftOf`), and most states shift
 * together, so only Arizona and Hawaii (no DST) are an hour off in summer.
 */
const US_OFFSET: Record<string, number> = {
  CT: -5,
  DE: -5,
  DC: -5,
  FL: -5,
  GA: -5,
  IN: -5,
  KY: -5,
  ME: -5,
  MD: -5,
  MA: -5,
  MI: -5,
  NH: -5,
  NJ: -5,
  NY: -5,
  NC: -5,
  OH: -5,
  PA: -5,
  RI: -5,
  SC: -5,
  VT: -5,
  VA: -5,
  WV: -5,
  AL: -6,
  AR: -6,
  IL: -6,
  IA: -6,
  KS: -6,
  LA: -6,
  MN: -6,
  MS: -6,
  MO: -6,
  NE: -6,
  ND: -6,
  OK: -6,
  SD: -6,
  TN: -6,
  TX: -6,
  WI: -6,
  AZ: -7,
  CO: -7,
  ID: -7,
  MT: -7,
  NM: -7,
  UT: -7,
  WY: -7,
  CA: -8,
  NV: -8,
  OR: -8,
  WA: -8,
  AK: -9,
  HI: -10,
  PR: -4,
  VI: -4,
  GU: 10,
  MP: 10,
  AS: -11,
};

/** A region key's standard UTC offset (`r:US:HI` → -10), or undefined when not known. */
export function regionOffset(regionKey: string): number | undefined {
  const [, country, region] = regionKey.split(':');
  return country === 'US' ? US_OFFSET[region] : undefined;
}

/**
 * How far (hours) a region's clock must be from the country's before it borrows the country's
 * first day's shape. Without a shape, a region's expected count follows the share baseline,
 * the desk's other complaints of the hour, on the country's clock: within two hours of its own
 * (the mainland) that error is smaller than trusting one day's hours (one sample each, an
 * incident of that day taught as a busy hour); three or more hours off (Hawaii, Alaska), the
 * country's night trough falls on the region's evening peak.
 */
const FIRST_DAY_SHIFT = 3;

/** What `Counts` integrates a key's expected volume over. */
export interface Shape {
  integrate(from: number, to: number): number;
}

/**
 * Each region's own daily shape: its customers live in their own time zone, so a state's
 * evening is not the country's (a country-wide profile makes western evenings look loud).
 * Until a region has learned its own (two days of its complaints, counted from its first, which
 * in a small state can come a day after the country's), it borrows the country's shifted to its
 * local clock: the country's profile is a mix whose clock is its complainers' mean offset, so
 * Hawaii reads it five hours later (its 20:00 is the country's evening, not the country's
 * 01:00 trough). Before the country has a shape (two days), a region far from its clock
 * (`FIRST_DAY_SHIFT`) reads the shape of the country's first whole day so; the others are flat.
 */
export class RegionalSeasons {
  private readonly profiles = new Map<string, SeasonalProfile>();
  private readonly episodes = new Map<string, number>();
  private readonly shifted = new Map<string, { shift: number; shape: Shape }>();
  private shiftedAt = -1;
  /** The country's shape from its first whole day (`SeasonalProfile` `minSpanHours`). */
  private readonly firstDay = new SeasonalProfile(true, 24);

  constructor(private readonly country: SeasonalProfile) {}

  /** A complaint episode of the country, in a region or none (the country's own is fed apart). */
  add(region: string | null, at: number): void {
    if (!this.country.ready()) this.firstDay.add(at);
    if (!region) return;
    let p = this.profiles.get(region);
    if (!p) {
      p = new SeasonalProfile(false);
      this.profiles.set(region, p);
    }
    p.add(at);
    this.episodes.set(region, (this.episodes.get(region) ?? 0) + 1);
  }

  /** The daily shape a region's keys follow (the country's for none). */
  of(region: string | null, now: number): Shape {
    if (!region) return this.country;
    const own = this.profiles.get(region);
    if (own?.ready()) return own;
    // The weighted offset moves slowly: shifts are worked out again once an hour of event time.
    const hour = Math.floor(now / 3_600_000);
    if (hour !== this.shiftedAt) {
      this.shifted.clear();
      this.shiftedAt = hour;
    }
    let s = this.shifted.get(region);
    if (!s) {
      const shift = this.shiftOf(region);
      const country =
        this.country.ready() || Math.abs(shift) < FIRST_DAY_SHIFT ? this.country : this.firstDay;
      s = { shift, shape: { integrate: (f, t) => country.integrate(f, t, shift) } };
      this.shifted.set(region, s);
    }
    return s.shape;
  }

  /**
   * Hours by which a region's clock runs ahead of the country's: its offset less the mean
   * offset of the country's complaint episodes (0 when either is not known).
   */
  shiftOf(region: string): number {
    const own = regionOffset(region);
    if (own === undefined) return 0;
    let sum = 0;
    let n = 0;
    for (const [r, count] of this.episodes) {
      const o = regionOffset(r);
      if (o === undefined) continue;
      sum += o * count;
      n += count;
    }
    return n > 0 ? Math.round(own - sum / n) : 0;
  }
}
