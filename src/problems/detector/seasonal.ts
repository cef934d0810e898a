import { median } from './stats.js';

const HOUR = 3_600_000;
const WEEK_HOURS = 168;
/** A sparse profile's shape is worth this many cycles of a flat one (two days: half flat). */
const SPARSE_PRIOR_CYCLES = 2;

function clampFactor(f: number): number {
  return Math.min(4, Math.max(0.2, f));
}

/**
 * The seasonal shape of complaint volume (time of day × day of week), learned from the stream
 * in event time. A factor of 1 is an average hour. Robust: each slot's factor is the MEDIAN over
 * the weeks (or days) seen, so one incident-heavy Tuesday does not teach the detector that
 * Tuesdays are loud. With under two weeks of history it falls back to hour of day, and with
 * under two days (`minSpanHours`) to a flat profile.
 */
export class SeasonalProfile {
  /** Epoch hour → complaint episodes in that hour. */
  private readonly hours = new Map<number, number>();
  private firstHour: number | null = null;
  private lastHour: number | null = null;
  private cache = new Map<number, number>();
  private cacheAt = -1;
  private sparseFactors: number[] | null = null;
  private sparseAt = -1;

  /**
   * `weekly`: learn day of week too once two weeks are seen (a sparse stream, e.g. one region's,
   * keeps to hour of day: a median of two or three counts per hour of the week is noise).
   * `minSpanHours`: the history before an hour-of-day shape is learned; from one day (a dense
   * stream's first day, `region-clock.ts`) each hour is one sample, taken halfway to flat.
   */
  constructor(
    private readonly weekly = true,
    private readonly minSpanHours = 48,
  ) {}

  /** It has learned a shape (`minSpanHours`, two days); before that every factor is 1. */
  ready(): boolean {
    return this.period() > 0;
  }

  private period(): number {
    if (this.firstHour === null || this.lastHour === null) return 0;
    const span = this.lastHour - this.firstHour;
    return this.weekly && span >= 2 * WEEK_HOURS ? WEEK_HOURS : span >= this.minSpanHours ? 24 : 0;
  }

  add(at: number, n = 1): void {
    const h = Math.floor(at / HOUR);
    this.hours.set(h, (this.hours.get(h) ?? 0) + n);
    if (this.firstHour === null || h < this.firstHour) this.firstHour = h;
    if (this.lastHour === null || h > this.lastHour) {
      this.lastHour = h;
      this.prune();
    }
  }

  /**
   * Expected-volume factor integrated over [from, to): Σ factor(hour) × fraction of that hour.
   * `shiftHours`: read the shape that many hours later (a region's clock against the country's).
   */
  integrate(from: number, to: number, shiftHours = 0): number {
    let sum = 0;
    for (let t = from; t < to; ) {
      const h = Math.floor(t / HOUR);
      const end = Math.min(to, (h + 1) * HOUR);
      sum += this.factor(h + shiftHours) * ((end - t) / HOUR);
      t = end;
    }
    return sum;
  }

  factor(hour: number): number {
    if (this.firstHour === null || this.lastHour === null) return 1;
    // Learn only from complete history before the current hour; refresh once per hour.
    if (this.cacheAt !== this.lastHour) {
      this.cache.clear();
      this.cacheAt = this.lastHour;
    }
    const period = this.period();
    if (period === 0) return 1;
    const slot = ((hour % period) + period) % period;
    const cached = this.cache.get(slot);
    if (cached !== undefined) return cached;
    const f = this.compute(slot, period);
    this.cache.set(slot, f);
    return f;
  }

  private compute(slot: number, period: number): number {
    if (!this.weekly) return this.sparse(period)[slot];
    const first = this.firstHour!;
    const last = this.lastHour! - 1;
    const cycles = Math.floor((last - first + 1) / period);
    if (cycles < 1) return 1;
    const start = last - cycles * period + 1;
    let total = 0;
    for (let h = start; h <= last; h++) total += this.hours.get(h) ?? 0;
    const mean = total / (cycles * period);
    if (mean <= 0) return 1;
    const perCycle: number[] = [];
    for (let c = 0; c < cycles; c++) {
      let h = start + c * period;
      h += (((slot - h) % period) + period) % period;
      perCycle.push(this.hours.get(h) ?? 0);
    }
    // Pool neighbouring slots a little: a median of 2–4 cycles of one hour is noisy.
    const m = median(perCycle);
    const f = (m + mean * 0.1) / (mean * 1.1);
    // One day's hour is one sample (an incident in it would teach a loud hour): half of it.
    return clampFactor(cycles < 2 ? (f + 1) / 2 : f);
  }

  /**
   * Every slot's factor of a sparse stream (a few an hour): the median of small counts is
   * biased towards zero, so each slot takes the mean of its hour and its neighbours over the
   * cycles, each cycle capped near the slot's median (a Poisson-scale margin), so one incident
   * does not teach a loud hour for weeks; slots are normalised by their own mean. Few cycles
   * lean on the flat shape.
   */
  private sparse(period: number): number[] {
    if (this.sparseAt === this.lastHour && this.sparseFactors) return this.sparseFactors;
    const first = this.firstHour!;
    const last = this.lastHour! - 1;
    const cycles = Math.floor((last - first + 1) / period);
    const start = last - cycles * period + 1;
    const level: number[] = [];
    for (let slot = 0; slot < period; slot++) {
      const v: number[] = [];
      for (let c = 0; c < cycles; c++) {
        let h = start + c * period;
        h += (((slot - h) % period) + period) % period;
        v.push(
          (this.hours.get(h - 1) ?? 0) + (this.hours.get(h) ?? 0) + (this.hours.get(h + 1) ?? 0),
        );
      }
      const med = median(v);
      const cap = med + 3 * Math.sqrt(med + 1) + 1;
      let sum = 0;
      for (const x of v) sum += Math.min(x, cap);
      level.push(cycles > 0 ? sum / cycles : 0);
    }
    const mean = level.reduce((a, b) => a + b, 0) / period;
    const w = cycles / (cycles + SPARSE_PRIOR_CYCLES);
    this.sparseFactors = level.map((x) => (mean > 0 ? clampFactor(w * (x / mean) + (1 - w)) : 1));
    this.sparseAt = this.lastHour!;
    return this.sparseFactors;
  }

  private prune(): void {
    const keep = this.lastHour! - 6 * WEEK_HOURS;
    if (this.firstHour! >= keep) return;
    for (const h of this.hours.keys()) if (h < keep) this.hours.delete(h);
    this.firstHour = keep;
  }
}
