/**
 * The simulator's `--start`: ISO-8601 only, as its error message says. `Date.parse` alone took
 * "1" (2001-01-01), "December 1", rolled 2026-02-30 over to March and read a time without a zone
 * in the machine's zone, while replay reads the same text as UTC. Here a time without a zone is
 * UTC, and a date that does not exist is refused.
 */
const ISO =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

export function parseStartTime(text: string): number {
  const m = ISO.exec(text.trim());
  if (!m) throw new Error(`start is not an ISO-8601 time: ${text}`);
  const [, y, mo, d, h = '00', mi = '00', s = '00', ms = '0', zone] = m;
  const utc = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, +ms.padEnd(3, '0'));
  const back = new Date(utc);
  if (
    back.getUTCFullYear() !== +y ||
    back.getUTCMonth() !== +mo - 1 ||
    back.getUTCDate() !== +d ||
    back.getUTCHours() !== +h ||
    back.getUTCMinutes() !== +mi ||
    back.getUTCSeconds() !== +s
  ) {
    throw new Error(`start is not a real date and time: ${text}`);
  }
  if (!zone || zone.toUpperCase() === 'Z') return utc;
  const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (!z || +z[2] > 23 || +z[3] > 59) throw new Error(`start has a bad time zone offset: ${text}`);
  const offset = (+z[2] * 60 + +z[3]) * 60_000;
  return z[1] === '+' ? utc - offset : utc + offset;
}
