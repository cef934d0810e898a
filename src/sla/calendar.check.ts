/**
 * What makes a calendar usable. Creation refuses a calendar that fails these checks; the
 * business-hours arithmetic (`calendar.ts`) skips what does not pass them, so a calendar stored
 * before the checks existed (or written straight into the database) cannot break intake.
 */

/** Weekday keys as `calendar.ts` reads them: 0 = Sunday … 6 = Saturday. */
export const WEEKDAYS = ['0', '1', '2', '3', '4', '5', '6'] as const;

/** Minutes since local midnight of `HH:MM` between 00:00 and 24:00, else null. */
export function minutesOf(hhmm: unknown): number | null {
  const m = typeof hhmm === 'string' ? /^(\d{2}):(\d{2})$/.exec(hhmm) : null;
  if (!m) return null;
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  return Number(m[2]) < 60 && minutes <= 24 * 60 ? minutes : null;
}

/** An opening interval the arithmetic can use: two valid times, start before end. */
export function isOpenInterval(pair: unknown): pair is [string, string] {
  if (!Array.isArray(pair) || pair.length !== 2) return false;
  const [a, b] = pair.map(minutesOf);
  return a !== null && b !== null && a < b;
}

/** Whether any weekday has at least one usable opening interval. */
export function hasOpeningHours(hours: unknown): boolean {
  if (!hours || typeof hours !== 'object') return false;
  const h = hours as Record<string, unknown>;
  return WEEKDAYS.some((d) => Array.isArray(h[d]) && h[d].some(isOpenInterval));
}

/** A real calendar date `YYYY-MM-DD` (not 2026-13-45 or 2026-02-30). */
export function isRealDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return d.toISOString().slice(0, 10) === s;
}

/**
 * Two intervals of one day that share time, said as a problem, or null. Overlaps are refused
 * rather than merged: hours given twice are more likely a typo (21:00 for 12:00) than a wish,
 * and the stored calendar should read as the hours it counts. Order is free and touching
 * intervals (09:00–12:00, 12:00–17:00) are fine.
 */
function overlapOf(pairs: [string, string][]): string | null {
  const sorted = [...pairs].sort((p, q) => (minutesOf(p[0]) ?? 0) - (minutesOf(q[0]) ?? 0));
  for (let i = 1; i < sorted.length; i++) {
    const [prev, next] = [sorted[i - 1], sorted[i]];
    if ((minutesOf(next[0]) ?? 0) < (minutesOf(prev[1]) ?? 0))
      return `${JSON.stringify(prev)} and ${JSON.stringify(next)} overlap (list each opening hour once)`;
  }
  return null;
}

/**
 * The first problem of a calendar as given to the API, or null. Overnight hours are refused
 * rather than split: the caller writes them as two intervals on two weekdays, which is what
 * they mean and what the stored calendar then shows.
 */
export function calendarProblem(hours: Record<string, unknown>, holidays: string[]): string | null {
  for (const [day, pairs] of Object.entries(hours)) {
    if (!(WEEKDAYS as readonly string[]).includes(day))
      return `hours: weekday ${JSON.stringify(day)} must be 0 (Sunday) … 6 (Saturday)`;
    if (!Array.isArray(pairs)) return `hours.${day} must be a list of ["HH:MM","HH:MM"]`;
    for (const pair of pairs) {
      if (!isOpenInterval(pair))
        return `hours.${day}: ${JSON.stringify(pair)} is not an opening interval (HH:MM from 00:00 to 24:00, start before end; split overnight hours at 24:00)`;
    }
    const clash = overlapOf(pairs as [string, string][]);
    if (clash) return `hours.${day}: ${clash}`;
  }
  if (!hasOpeningHours(hours)) return 'hours: the calendar must be open at least once a week';
  const bad = holidays.find((d) => !isRealDate(d));
  if (bad !== undefined) return `holidays: ${JSON.stringify(bad)} is not a date YYYY-MM-DD`;
  return null;
}
