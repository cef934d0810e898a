/**
 * The daily and weekly rhythm of care traffic, in the customer's local time: quiet nights, a
 * morning climb, a broad daytime plateau with an evening bump (people get home and find things
 * broken), busier weekdays than weekends. Both profiles are normalised to mean 1 so a scenario's
 * `conversationsPerDay` is the average over a week. Our own estimates, not measured data.
 */

const HOURLY_RAW = [
  0.18, 0.11, 0.08, 0.07, 0.08, 0.14, 0.32, 0.65, 1.05, 1.35, 1.5, 1.5, 1.42, 1.4, 1.38, 1.35, 1.32,
  1.3, 1.35, 1.38, 1.25, 0.95, 0.62, 0.34,
];
// Sunday first, as Date#getUTCDay counts.
const WEEKDAY_RAW = [0.62, 1.12, 1.1, 1.06, 1.04, 0.98, 0.72];

const normalise = (xs: number[]): number[] => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return xs.map((x) => x / mean);
};
const HOURLY = normalise(HOURLY_RAW);
const WEEKDAY = normalise(WEEKDAY_RAW);

export const RHYTHM_MAX = Math.max(...HOURLY) * Math.max(...WEEKDAY);

const HOUR_MS = 3_600_000;

/** Traffic multiplier at epoch ms `t` for people `utcOffset` hours from UTC (linear within hours). */
export function rhythm(t: number, utcOffset: number): number {
  const local = t + utcOffset * HOUR_MS;
  const hours = local / HOUR_MS;
  const h = Math.floor(hours);
  const frac = hours - h;
  const hourOfDay = ((h % 24) + 24) % 24;
  const day = new Date(local).getUTCDay();
  const hourly = HOURLY[hourOfDay] * (1 - frac) + HOURLY[(hourOfDay + 1) % 24] * frac;
  return hourly * WEEKDAY[day];
}

/** Local hour of day (0–23) at `t`. */
export function localHour(t: number, utcOffset: number): number {
  return new Date(t + utcOffset * HOUR_MS).getUTCHours();
}
