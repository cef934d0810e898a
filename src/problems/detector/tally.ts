const HOUR = 3_600_000;

/**
 * The most an hour adds to a baseline that expects `lambda` in it: `times` the usual plus a
 * Poisson margin, so a quiet key (λ ≈ 0) still takes a couple an hour. `times` = Infinity: no cap.
 */
export function loudHourCap(lambda: number, times: number): number {
  if (!Number.isFinite(times)) return Number.POSITIVE_INFINITY;
  const l = Math.max(0, lambda);
  return times * l + 3 * Math.sqrt(l) + 2;
}

/**
 * A count that each hour of event time can raise only up to a cap (winsorised): an incident
 * that no problem explained, or one that ran before the detector knew better, would otherwise
 * teach the baseline for weeks that its topic or place is loud (seed 11: a 3,200-customer
 * regional outage set the country's usual outage rate to five times the real one, and a
 * 141-customer country-wide outage two days later never stood out). The cap is asked of
 * the caller once per hour, from the baseline as it stands, so the count stays robust
 * without keeping per-hour history.
 */
export class CappedTally {
  total = 0;
  private hour = Number.NaN;
  private used = 0;
  private cap = Number.POSITIVE_INFINITY;

  /** Counts one event at `at` unless its hour is full; returns whether it counted. */
  add(at: number, capOf: (hour: number) => number): boolean {
    const h = Math.floor(at / HOUR);
    if (h !== this.hour) {
      this.hour = h;
      this.used = 0;
      this.cap = capOf(h);
    }
    if (this.used >= this.cap) return false;
    this.used++;
    this.total++;
    return true;
  }
}
