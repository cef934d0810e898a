import { hasOpeningHours, isOpenInterval } from './calendar.check.js';

/**
 * Business-hours arithmetic in a time zone, with holidays. Pure functions over epoch
 * milliseconds; the zone's rules (DST included) come from the runtime's ICU data through `Intl`,
 * so a working day that contains a DST change is 1 hour shorter or longer in real time exactly
 * when the wall clock says so.
 */
export interface Calendar {
  /** IANA zone, e.g. `America/New_York`. */
  timeZone: string;
  /** Opening hours per weekday (0 = Sunday … 6 = Saturday) as local `HH:MM` pairs. */
  hours: Partial<Record<'0' | '1' | '2' | '3' | '4' | '5' | '6', [string, string][]>>;
  /** Closed days as local dates `YYYY-MM-DD`. */
  holidays: string[];
}

/** Always open: the default when a policy names no calendar. */
export const ALWAYS_OPEN: Calendar = {
  timeZone: 'UTC',
  hours: Object.fromEntries(
    ['0', '1', '2', '3', '4', '5', '6'].map((d) => [d, [['00:00', '24:00']]]),
  ) as Calendar['hours'],
  holidays: [],
};

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string) {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

/** Throws a RangeError for an unknown zone (used to validate input). */
export function checkTimeZone(timeZone: string): void {
  formatter(timeZone);
}

interface Local {
  y: number;
  m: number;
  d: number;
  h: number;
  min: number;
  s: number;
}

function intlLocalParts(at: number, timeZone: string): Local {
  const parts: Record<string, number> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(at))) {
    if (p.type !== 'literal') parts[p.type] = Number(p.value);
  }
  return {
    y: parts.year,
    m: parts.month,
    d: parts.day,
    h: parts.hour,
    min: parts.minute,
    s: parts.second,
  };
}

// Intl.formatToParts costs microseconds a call and deadlines need many, inside the ingest
// pipeline. A zone's offset only changes at transitions, which fall on whole quarter hours of
// UTC in every zone in use, so the offset is cached per zone and 15-minute bucket.
const QUARTER_HOUR = 900_000;
const offsetCache = new Map<string, number>();

function localParts(at: number, timeZone: string): Local {
  const key = `${timeZone}|${Math.floor(at / QUARTER_HOUR)}`;
  let offset = offsetCache.get(key);
  if (offset === undefined) {
    const l = intlLocalParts(at, timeZone);
    offset = Date.UTC(l.y, l.m - 1, l.d, l.h, l.min, l.s) - Math.floor(at / 1000) * 1000;
    if (offsetCache.size > 50_000) offsetCache.clear();
    offsetCache.set(key, offset);
  }
  const d = new Date(Math.floor(at / 1000) * 1000 + offset);
  return {
    y: d.getUTCFullYear(),
    m: d.getUTCMonth() + 1,
    d: d.getUTCDate(),
    h: d.getUTCHours(),
    min: d.getUTCMinutes(),
    s: d.getUTCSeconds(),
  };
}

/** Offset of the zone at an instant, in ms (local − UTC). */
function offsetAt(at: number, timeZone: string): number {
  const l = localParts(at, timeZone);
  const asUtc = Date.UTC(l.y, l.m - 1, l.d, l.h, l.min, l.s);
  return asUtc - Math.floor(at / 1000) * 1000;
}

/**
 * The instant of a local wall time. A wall time skipped by a spring-forward change is moved
 * forward by the gap (02:30 becomes 03:30), as Temporal's `compatible` disambiguation does.
 */
export function zonedToUtc(
  y: number,
  m: number,
  d: number,
  minutes: number,
  timeZone: string,
): number {
  const guess = Date.UTC(y, m - 1, d, 0, minutes);
  const o1 = offsetAt(guess - offsetAt(guess, timeZone), timeZone);
  const utc = guess - o1;
  const o2 = offsetAt(utc, timeZone);
  return o1 === o2 ? utc : guess - Math.min(o1, o2);
}

const toMinutes = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
};

const pad = (n: number) => String(n).padStart(2, '0');

/** Open intervals [start, end) in UTC ms of one local calendar day. */
function dayIntervals(cal: Calendar, y: number, m: number, d: number): [number, number][] {
  const date = `${y}-${pad(m)}-${pad(d)}`;
  if (Array.isArray(cal.holidays) && cal.holidays.includes(date)) return [];
  const weekday = String(new Date(Date.UTC(y, m - 1, d)).getUTCDay()) as keyof Calendar['hours'];
  const pairs = cal.hours[weekday];
  // Malformed intervals (reversed, 25:00) are skipped: they would count negative or phantom time.
  // The rest are sorted and merged in wall-clock minutes before they become instants: the API
  // refuses overlaps, but a calendar stored before that (or by hand) must not count an hour
  // twice, nor walk back to an earlier interval listed after a later one.
  const spans = (Array.isArray(pairs) ? pairs.filter(isOpenInterval) : [])
    .map(([a, b]) => [toMinutes(a), toMinutes(b)])
    .sort((p, q) => p[0] - q[0]);
  const merged: number[][] = [];
  for (const [a, b] of spans) {
    const last = merged.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else merged.push([a, b]);
  }
  return merged.map(([a, b]) => [
    zonedToUtc(y, m, d, a, cal.timeZone),
    zonedToUtc(y, m, d, b, cal.timeZone),
  ]);
}

/** Calls `visit` for each open interval from the local day of `from` onwards until it returns true. */
function walk(cal: Calendar, from: number, visit: (start: number, end: number) => boolean): void {
  const l = localParts(from, cal.timeZone);
  let seen = from;
  // Ten years of days without a single open hour means the calendar is empty.
  for (let i = -1; i < 3660; i++) {
    const day = new Date(Date.UTC(l.y, l.m - 1, l.d + i));
    for (const [s, e] of dayIntervals(
      cal,
      day.getUTCFullYear(),
      day.getUTCMonth() + 1,
      day.getUTCDate(),
    )) {
      // Never before time already visited: a wall time in a spring-forward gap moves forward
      // (`zonedToUtc`) and may then fall after the next interval's start.
      const start = Math.max(s, seen);
      if (e <= start) continue;
      seen = e;
      if (visit(start, e)) return;
    }
  }
  throw new Error('the calendar has no opening hours');
}

// Every SLA clock of every pipeline batch goes through here, and most installations use the
// default always-open calendar, whose walk visits one day after another for nothing. A calendar
// open 00:00–24:00 on all seven days with no holidays has back-to-back days in any zone (a day's
// 24:00 and the next day's 00:00 are the same instant by construction in `zonedToUtc`), so
// business time is plain elapsed time; the walk gives the same answers, only slower.
const alwaysOpen = new WeakMap<Calendar, boolean>();

/** Whether `cal` is open around the clock every day (answers cached per calendar object). */
export function isAlwaysOpen(cal: Calendar): boolean {
  let open = alwaysOpen.get(cal);
  if (open === undefined) {
    open =
      (cal.holidays?.length ?? 0) === 0 &&
      (['0', '1', '2', '3', '4', '5', '6'] as const).every((d) => {
        const h = cal.hours[d];
        return h?.length === 1 && h[0][0] === '00:00' && h[0][1] === '24:00';
      });
    alwaysOpen.set(cal, open);
  }
  return open;
}

const usable = new WeakMap<Calendar, boolean>();

/**
 * Whether `cal` has opening hours at all. Creation refuses calendars without, but one stored
 * before that check (or written by hand) must not fail intake: deadlines are then counted
 * around the clock. The arithmetic only counts; saying so is for whoever loaded the calendar
 * and holds a logger (`sla.store.ts`, `reportUnusable`).
 */
export function hasHours(cal: Calendar): boolean {
  let ok = usable.get(cal);
  if (ok === undefined) {
    ok = hasOpeningHours(cal.hours);
    usable.set(cal, ok);
  }
  return ok;
}

/** The instant `ms` of business time after `start`. */
export function addBusinessMs(cal: Calendar, start: number, ms: number): number {
  let left = Math.max(0, ms);
  if (!hasHours(cal) || isAlwaysOpen(cal)) return start + left;
  let result = start;
  if (left === 0) {
    // A zero target is due at the next open instant.
    walk(cal, start, (s) => {
      result = s;
      return true;
    });
    return result;
  }
  walk(cal, start, (s, e) => {
    if (e - s >= left) {
      result = s + left;
      return true;
    }
    left -= e - s;
    return false;
  });
  return result;
}

/** Business time between two instants (0 when `to` ≤ `from`). */
export function businessMsBetween(cal: Calendar, from: number, to: number): number {
  if (to <= from) return 0;
  if (!hasHours(cal) || isAlwaysOpen(cal)) return to - from;
  let total = 0;
  walk(cal, from, (s, e) => {
    if (s >= to) return true;
    total += Math.min(e, to) - s;
    return e >= to;
  });
  return total;
}
