import { isDateTime } from '../ingest/inbound.schema.js';

/**
 * The simulator's `--start`: ISO-8601 only, as its error message says. `Date.parse` alone took
 * "1" (2001-01-01), "December 1", rolled 2026-02-30 over to March and read a time without a zone
 * in the machine's zone, while replay reads the same text as UTC. A date alone is midnight and a
 * time without a zone is UTC; the rest is the inbound API's own check (`isDateTime`).
 */
export function parseStartTime(text: string): number {
  let t = text.trim();
  if (/^\d{4}-\d{2}-\d{2}$/.test(t)) t += 'T00:00';
  if (/T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/i.test(t)) t += 'Z';
  if (!isDateTime(t)) throw new Error(`start is not an ISO-8601 time: ${text}`);
  return Date.parse(t);
}
