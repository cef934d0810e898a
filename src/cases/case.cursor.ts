import { badRequest } from '../platform/errors.js';

/** The case list's orders: by when a case was recorded (default), or by its last activity. */
export type CaseSort = 'created' | 'activity';

/**
 * A walk in the default order pages by (`created_at`, id) newest first: neither ever changes, so
 * the walk returns each case that existed when it began and matched its filters throughout
 * exactly once, however much the cases change meanwhile (nothing updates `created_at`). A case
 * recorded during the walk is ahead of it, not in it (unless the node recording it has a clock
 * behind the walk's cases: then it may be in it, still once).
 */
export interface CreatedCursor {
  at: number;
  id: string;
}

const CREATED_PREFIX = 'c1';

export function encodeCreatedCursor(c: CreatedCursor): string {
  return Buffer.from(`${CREATED_PREFIX}:${c.at}:${c.id}`).toString('base64url');
}

/**
 * A cursor of either order, and which it is: the order a walk began with is the one it keeps,
 * so a cursor handed out before the default changed goes on in activity order.
 */
export function decodeAnyCursor(
  cursor: string,
): { sort: 'created'; cursor: CreatedCursor } | { sort: 'activity'; cursor: CaseCursor } {
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!raw.startsWith(`${CREATED_PREFIX}:`))
    return { sort: 'activity', cursor: decodeCursor(cursor) };
  const [, at, ...rest] = raw.split(':');
  const id = rest.join(':');
  if (!at || !Number.isSafeInteger(Number(at)) || !id) throw invalid();
  return { sort: 'created', cursor: { at: Number(at), id } };
}

/**
 * The activity cursor (`sort=activity`). A walk pages by (`last_message_at`, id) newest first; a
 * case that gets a new message meanwhile jumps ahead of the cursor, so once the walk runs out of
 * older cases it goes on, by id, through the cases whose position changed since it began
 * (`cases.inbox_moved_at`). A walk therefore returns every case that existed when it began and
 * matched its filters throughout; a case that moved may come twice, none is skipped.
 *
 * - `{ since, at, id }`: in order, after the case (`at`, `id`);
 * - `{ since, movedAfter }`: among the moved cases, after the id `movedAfter` ('' = from the start);
 * - `since` undefined: a cursor from before walks knew their start (no moved cases at its end).
 */
export type CaseCursor =
  | { since?: number; at: number; id: string; movedAfter?: undefined }
  | { since: number; movedAfter: string; at?: undefined; id?: undefined };

/**
 * A walk's start is read back this much earlier than its first page: a move is dated when its
 * UPDATE runs (its transaction may commit later), and on PostgreSQL by the server's clock, which
 * may be a little off this node's. Earlier only brings more cases at the end, twice.
 */
export const WALK_START_SLACK_MS = 5 * 60_000;

const PREFIX = 'w1';

export function encodeCursor(c: CaseCursor): string {
  const raw =
    c.movedAfter !== undefined
      ? `${PREFIX}:${c.since}:moved:${c.movedAfter}`
      : `${PREFIX}:${c.since ?? ''}:${c.at}:${c.id}`;
  return Buffer.from(raw).toString('base64url');
}

export function decodeCursor(cursor: string): CaseCursor {
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  const parts = raw.split(':');
  if (parts[0] !== PREFIX) return legacy(raw);
  const since = Number(parts[1]);
  if (parts.length < 4 || !parts[1] || !Number.isSafeInteger(since)) throw invalid();
  const rest = parts.slice(3).join(':');
  if (parts[2] === 'moved') return { since, movedAfter: rest };
  const at = Number(parts[2]);
  if (!parts[2] || !Number.isSafeInteger(at) || !rest) throw invalid();
  return { since, at, id: rest };
}

/** "<last_message_at>:<id>", the cursor before walks knew their start. */
function legacy(raw: string): CaseCursor {
  const i = raw.indexOf(':');
  const at = Number(raw.slice(0, i));
  if (i < 1 || !Number.isFinite(at)) throw invalid();
  return { at, id: raw.slice(i + 1) };
}

const invalid = () => badRequest('cursor is not valid');
