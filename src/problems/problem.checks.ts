import type { Kysely } from 'kysely';
import { FORMAT } from '../macros/template-values.js';
import type { DB } from '../platform/db/schema.js';
import { AppError } from '../platform/errors.js';

/* What a person's write to a problem must satisfy before anything is changed or sent. */

/**
 * A write made on a stale read is refused (409) when the caller says which version it read, as
 * case writes do (`expectedVersion`): a status update composed while the detector (or another
 * person) changed the problem would go to customers about a problem that is no longer the one read.
 */
export function checkProblemVersion(p: { id: string; version: number }, expected?: number) {
  const current = Number(p.version);
  if (expected === undefined || expected === current) return;
  throw new AppError('conflict', `the problem changed since you loaded it (version ${current})`, {
    currentVersion: current,
  });
}

/** How far a caller's clock may run behind ours before an ETA counts as past. */
const ETA_SKEW_MS = 5 * 60_000;
/** An ETA further away than this is a typo (9999-12-31), not a promise to customers. */
const ETA_MAX_AHEAD_MS = 366 * 24 * 3_600_000;

/**
 * Customers read the ETA as "we expect it fixed by …": one in the past is already broken, and one
 * years ahead is no estimate. Refused (400) with the bounds, by the server's clock.
 */
export function checkEta(etaAt: number | null | undefined, now: number) {
  if (etaAt == null) return;
  if (Number.isNaN(etaAt)) throw new AppError('bad_request', 'etaAt: not a date-time');
  if (etaAt < now - ETA_SKEW_MS)
    throw new AppError(
      'bad_request',
      `etaAt: ${new Date(etaAt).toISOString()} is in the past (server time ${new Date(now).toISOString()})`,
    );
  if (etaAt > now + ETA_MAX_AHEAD_MS)
    throw new AppError('bad_request', 'etaAt: more than a year ahead');
}

/** C0 and C1 controls with terminal escape sequences first (ESC [ 31 m, whole). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are what it removes
const CONTROLS = /\u001b\[[0-?]*[ -/]*[@-~]|[\u0000-\u001f\u007f-\u009f]/g;

/**
 * A title as people and customers read it (lists, notices, Jira issues): control characters
 * (a bell, terminal colour codes) are removed, runs of spaces are one; a title with nothing left
 * is refused (400), as a title of spaces names nothing.
 */
export function cleanTitle(title: string | undefined): string | undefined {
  if (title === undefined) return undefined;
  const clean = title.replace(FORMAT, '').replace(CONTROLS, ' ').replace(/\s+/g, ' ').trim();
  if (!clean) throw new AppError('bad_request', 'title: must not be blank');
  return clean;
}

/** Controls but line breaks and tabs, with terminal escape sequences whole. */
const CONTROLS_BUT_LINES =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are what it removes
  /\u001b\[[0-?]*[ -/]*[@-~]|[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/**
 * The words of a status update as customers will read them: no format characters (bidi overrides
 * such as U+202E reorder what customers read; macros drop them from public replies the same way)
 * and no control characters (line breaks stay). Words with nothing left are refused (400), as a blank title is.
 */
export function cleanWords(body: string | undefined): string | undefined {
  if (body === undefined) return undefined;
  const clean = body.replace(FORMAT, '').replace(CONTROLS_BUT_LINES, ' ');
  if (body.trim() && !clean.trim()) throw new AppError('bad_request', 'body: no words left');
  return clean;
}

/** The latest update posted to a problem (to its customers, or silent: `silent` 1), if any. */
export function latestUpdate(trx: Kysely<DB>, problemId: string) {
  return trx
    .selectFrom('problem_updates')
    .select(['status', 'body', 'silent'])
    .where('problem_id', '=', problemId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

/**
 * A problem's topic as a person gives it: one of triage's complaint topics or null. Praise is
 * never a complaint (triage files no complaint under it, src/triage/index.ts), so a "praise —
 * everywhere" problem, or an owner rule for praise problems, is refused (400).
 */
export function complaintTopic<T extends string | null | undefined>(topic: T): T {
  if (topic === 'praise')
    throw new AppError(
      'bad_request',
      'topic: praise is not a complaint; a problem has a complaint topic or none',
    );
  return topic;
}
