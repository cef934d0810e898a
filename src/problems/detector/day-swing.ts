import { type AreaLevel, levelOf } from './areas.js';
import type { Counts } from './counts.js';
import { median } from './stats.js';

/** Half a day: the longest window; two of them, 00–12 and 12–24 UTC, make a day's count. */
const BLOCK_MS = 12 * 3_600_000;
/** A half day's key is kept for its day's count from this expected count on. */
const MIN_HALF = 1;
/** The standard normal's quartile: half of all residuals lie within this many SDs of the mean. */
const QUARTILE_Z = 0.6745;
/**
 * No samples in the desk's first two days: the baseline is too young then (its rates rest on a
 * few hours) and its daily error is its youth, not the desk's swing (tried: learning from the
 * first full day read 0 on both a swinging and a Poisson desk).
 */
const LEARN_AFTER_MS = 48 * 3_600_000;
/** Days of estimates kept: the estimate follows the desk, and memory is bounded. */
const KEEP_DAYS = 7;
/** A level's day is an estimate from this many busy keys on (fewer say little about a swing). */
const MIN_SAMPLES = 10;

/** One key's count over a day, its expected count, and its baseline's own CV². */
export interface SwingSample {
  observed: number;
  expected: number;
  /** The part of the CV² the detector already knows from the key's short history. */
  known: number;
}

/** The share of jittered counts (each spread over [O − ½, O + ½]) above `bar(sample)`. */
function shareAbove(samples: SwingSample[], bar: (s: SwingSample) => number): number {
  let n = 0;
  for (const s of samples) n += Math.min(1, Math.max(0, s.observed + 0.5 - bar(s)));
  return n / samples.length;
}

/**
 * The factor c at which half of one day's counts lie above c·E: what the baseline got wrong
 * for every place of a level alike that day (a quiet Sunday its hour-of-day shape does not know,
 * a busy desk's share baseline that leans on the other places). It is not a place's own swing,
 * and the counts are read around c·E so that it does not pass for one.
 */
export function medianRatio(samples: SwingSample[]): number {
  if (samples.length === 0) return 1;
  let lo = 0.05;
  let hi = 20;
  for (let i = 0; i < 40; i++) {
    const c = Math.sqrt(lo * hi);
    if (shareAbove(samples, (s) => c * s.expected) > 0.5) lo = c;
    else hi = c;
  }
  return Math.sqrt(lo * hi);
}

/**
 * The CV² of day-to-day variation (v) at which half of the samples lie within their quartiles,
 * |O − E| ≤ z·√(E + E²·(known + v)): the median absolute deviation of a negative binomial's
 * residuals, solved for its shape. A median, not a mean of squares: a trouble inflates a few
 * counts far beyond their expectation, which moves a mean square a lot and the median little.
 * Each count is spread over [O − ½, O + ½] so a small Poisson count's steps do not bias it.
 * 0 when Poisson (and the baseline's own uncertainty) already explains the spread. On
 * simulated counts (expected 10–110, lognormal day factors, 8 × 700 samples) it reads σ 0 /
 * 0.15 / 0.3 / 0.4 as 0.02 / 0.15 / 0.29 / 0.40.
 */
export function swingCv2(samples: SwingSample[]): number {
  if (samples.length === 0) return 0;
  const outside = (v: number) => {
    const half = (s: SwingSample) =>
      QUARTILE_Z * Math.sqrt(s.expected * (1 + s.expected * (s.known + v)));
    const above = shareAbove(samples, (s) => s.expected + half(s));
    return above + 1 - shareAbove(samples, (s) => s.expected - half(s));
  };
  if (outside(0) <= 0.5) return 0;
  let lo = 0;
  let hi = 4;
  if (outside(hi) > 0.5) return hi;
  for (let i = 0; i < 40; i++) {
    const mid = (lo + hi) / 2;
    if (outside(mid) > 0.5) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/**
 * How much a place's complaint counts swing from day to day beyond Poisson, learned from the
 * desk's own traffic. A real desk's places have loud and quiet days (weather, a local news item,
 * a marketing mail): every topic of a city rises together by a factor that can reach 1.5 on an
 * ordinary day. A fixed `dayVariation` tests such a day as an excess, and a busy desk raised about
 * seven false problems a week on swings like that (QA round 2, q7).
 *
 * Each UTC day (from the desk's third day on), every busy key's (expected ≥ `minExpected` in the
 * day) unexplained count over the day is compared with what its baseline expected over the same
 * windows: the very numbers the raise test compares. Each area level (a city swings more than a
 * state, which sums several cities' swings) gets one estimate a day from all its busy keys, read
 * around the level's median ratio that day (`medianRatio`), so a quiet key takes the swing its
 * busy neighbours show. The level's day variation is the median of its last `KEEP_DAYS` days,
 * shrunk toward the configured `dayVariation` as if that were worth `priorDays` days, so a young
 * or quiet desk tests as before. Only event time and the detector's own counts feed it: a live
 * desk and a replay learn the same.
 */
export class DaySwing {
  private block: number | null = null;
  /** The day's first half (00–12 UTC) by key, until its second half completes the day. */
  private readonly firstHalf = new Map<string, SwingSample>();
  /** Each level's day-to-day CV² of its last days, one estimate a day. */
  private readonly days = new Map<AreaLevel, number[]>();
  private readonly cv2ByLevel = new Map<AreaLevel, number>();

  constructor(
    /** The configured day variation (a CV): the prior the estimate is shrunk toward. */
    private readonly prior: number,
    /** A day's count is a sample from this expected count on. */
    private readonly minExpected: number,
    /** Days of samples the prior is worth. */
    private readonly priorDays: number,
  ) {}

  /** Whether `now` begins a new half day (the first call only starts the clock). */
  due(now: number): boolean {
    const b = Math.floor(now / BLOCK_MS);
    if (this.block === null) this.block = b;
    if (b === this.block) return false;
    this.block = b;
    return true;
  }

  /**
   * One half day's counts of area keys (`areaKey` gives the level). A UTC day's two halves make
   * one sample per key: a day's count, whose expectation the baseline's daily shape (learned on
   * the country's clock, in several time zones) cannot get wrong the way it gets a night wrong.
   */
  record(samples: HalfDay[]): void {
    if (this.block! % 2 === 1) {
      // The window that ends at 12:00 UTC: the day's first half.
      this.firstHalf.clear();
      for (const h of samples) this.firstHalf.set(h.key, h.sample);
      return;
    }
    const byLevel = new Map<AreaLevel, SwingSample[]>();
    for (const { key, areaKey, sample } of samples) {
      const first = this.firstHalf.get(key);
      if (!first) continue;
      const expected = first.expected + sample.expected;
      if (expected < this.minExpected) continue;
      const day = { observed: first.observed + sample.observed, expected, known: sample.known };
      const level = levelOf(areaKey);
      const list = byLevel.get(level) ?? [];
      list.push(day);
      byLevel.set(level, list);
    }
    this.firstHalf.clear();
    for (const [level, list] of byLevel) {
      if (list.length < MIN_SAMPLES) continue;
      const c = medianRatio(list);
      const day = swingCv2(list.map((s) => ({ ...s, expected: c * s.expected })));
      const days = this.days.get(level) ?? [];
      days.push(day);
      if (days.length > KEEP_DAYS) days.shift();
      this.days.set(level, days);
    }
    this.cv2ByLevel.clear();
  }

  /** The day-variation CV² a key of `areaKey`'s level is tested with. */
  cv2(areaKey: string | null): number {
    const p2 = this.prior * this.prior;
    if (areaKey === null) return p2;
    const level = levelOf(areaKey);
    const cached = this.cv2ByLevel.get(level);
    if (cached !== undefined) return cached;
    // The median day: a weekend the hour-of-day shape does not know, or a day of troubles, is
    // one odd day among seven and does not move it.
    const days = this.days.get(level) ?? [];
    const n = days.length;
    const v = n === 0 ? p2 : (n * median(days) + this.priorDays * p2) / (n + this.priorDays);
    this.cv2ByLevel.set(level, v);
    return v;
  }
}

/** One area key's half day: its count in the longest window and what its baseline expected. */
export interface HalfDay {
  key: string;
  areaKey: string;
  sample: SwingSample;
}

/**
 * The area keys' half days at a half-day boundary: each key whose baseline expects complainers
 * in the longest window and none of whose complainers there a problem explains, with its count
 * and the CV² its own short history adds (`dispersionPrior`).
 */
export function halfDays(counts: Counts, dispersionPrior: number): HalfDay[] {
  const out: HalfDay[] = [];
  if (counts.firstAt === null || counts.now - counts.firstAt < LEARN_AFTER_MS) return out;
  for (const ks of counts.keys.values()) {
    if (ks.family !== 'area' || ks.areaKey === null) continue;
    const win = ks.windows[ks.windows.length - 1];
    win.evict(counts.now, (gone) => counts.retire(ks, gone));
    const expected = counts.expected(ks, win.ms);
    // A key a problem explains some of its complainers of says nothing about ordinary days: the
    // linked complainers are the excess and some of the background, which leaves it below its
    // expectation and would read a desk with many troubles as one that swings.
    if (expected < MIN_HALF || win.unexplained < win.size) continue;
    const known = 1 / (ks.history + dispersionPrior);
    const sample = { observed: win.unexplained, expected, known };
    out.push({ key: ks.key, areaKey: ks.areaKey, sample });
  }
  return out;
}
