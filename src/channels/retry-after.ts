const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

// The three HTTP-date forms of RFC 9110 §5.6.7, which a recipient must all accept.
// IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`
const IMF_FIXDATE = /^[a-z]{3}, (\d{2}) ([a-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) gmt$/i;
// Obsolete RFC 850: `Sunday, 06-Nov-94 08:49:37 GMT`
const RFC850 = /^[a-z]{6,9}, (\d{2})-([a-z]{3})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) gmt$/i;
// Obsolete asctime: `Sun Nov  6 08:49:37 1994` (day padded with a space, no zone: it is UTC)
const ASCTIME = /^[a-z]{3} ([a-z]{3}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2}) (\d{4})$/i;

/**
 * An HTTP-date in epoch ms, or undefined when the text is not one. `Date.parse` is not used: it
 * reads almost anything as a date (`"-5"` is May 2001, `"1 2"` is 2 January 2001) and reads
 * asctime in the machine's time zone, while every HTTP-date is UTC.
 */
export function parseHttpDate(text: string, now: number): number | undefined {
  let m = IMF_FIXDATE.exec(text);
  if (m) return utc(m[3], m[2], m[1], m[4], m[5], m[6]);
  m = ASCTIME.exec(text);
  if (m) return utc(m[6], m[1], m[2], m[3], m[4], m[5]);
  m = RFC850.exec(text);
  if (!m) return undefined;
  // A two-digit year more than 50 years ahead is the most recent past year with those digits.
  const thisYear = new Date(now).getUTCFullYear();
  let year = Math.floor(thisYear / 100) * 100 + Number(m[3]);
  if (year > thisYear + 50) year -= 100;
  return utc(String(year), m[2], m[1], m[4], m[5], m[6]);
}

function utc(
  year: string,
  month: string,
  day: string,
  hour: string,
  minute: string,
  second: string,
): number | undefined {
  const mon = MONTHS.indexOf(month.toLowerCase());
  const [y, d, h, mi, s] = [year, day, hour, minute, second].map((v) => Number(v.trim()));
  if (mon < 0 || h > 23 || mi > 59 || s > 60) return undefined;
  const at = Date.UTC(y, mon, d, h, mi, Math.min(s, 59));
  // Date.UTC rolls 31 Feb over into March; such a date is not a date.
  return new Date(at).getUTCDate() === d ? at : undefined;
}

/**
 * Retry-After (RFC 9110 §10.2.3) in ms from `now`: either delay-seconds (`120`) or an HTTP-date.
 * A date already past means "retry now" (0). Anything else — absent, empty, negative, fractional,
 * garbage — is ignored (undefined), so the caller falls back to its own back-off.
 */
export function retryAfterMs(header: string | null | undefined, now: number): number | undefined {
  const value = header?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const at = parseHttpDate(value, now);
  return at === undefined ? undefined : Math.max(0, at - now);
}
