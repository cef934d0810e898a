import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import type { Capabilities } from '../platform/db/database.js';
import type { DB } from '../platform/db/schema.js';
import { badRequest } from '../platform/errors.js';
import {
  type CaseCursor,
  type CaseSort,
  type CreatedCursor,
  decodeAnyCursor,
  encodeCreatedCursor,
  encodeCursor,
  WALK_START_SLACK_MS,
} from './case.cursor.js';
import { type SearchTuning, type TextFilter, textFilter } from './case.search.js';

export interface CaseFilter {
  status?: string[];
  queue?: string;
  channel?: string[];
  assignee?: string;
  customer?: string;
  q?: string;
  /** Unset: the cursor's order, else `created`. */
  sort?: CaseSort;
  limit: number;
  cursor?: string;
}

/** The filters of `f` (and `where`) as one condition on `cases` joined with `customers`. */
const matching =
  (workspaceId: string, f: CaseFilter, where?: Expression<SqlBool>) =>
  (eb: ExpressionBuilder<DB, 'cases' | 'customers'>) => {
    const all: Expression<SqlBool>[] = [eb('cases.workspace_id', '=', workspaceId)];
    if (f.status?.length) all.push(eb('cases.status', 'in', f.status as never[]));
    if (f.queue) all.push(eb('cases.queue_id', '=', f.queue));
    if (f.channel?.length) all.push(eb('cases.channel', 'in', f.channel));
    if (f.assignee === 'none') all.push(eb('cases.assignee_id', 'is', null));
    else if (f.assignee) all.push(eb('cases.assignee_id', '=', f.assignee));
    if (f.customer) all.push(eb('cases.customer_id', '=', f.customer));
    if (where) all.push(where);
    return eb.and(all);
  };

/**
 * The case list, keyset-paged so deep pages stay cheap: newest recorded first by default (each
 * case once per walk, case.cursor.ts), or most recently active first with `sort=activity`. A
 * cursor carries its walk's order; a `sort` that contradicts it is a 400.
 */
export async function listCases(
  db: Kysely<DB>,
  caps: Capabilities,
  workspaceId: string,
  f: CaseFilter,
  search: SearchTuning = {},
) {
  const decoded = f.cursor ? decodeAnyCursor(f.cursor) : undefined;
  if (decoded && f.sort && decoded.sort !== f.sort)
    throw badRequest(
      `cursor belongs to a walk with sort=${decoded.sort}; leave sort out or match it`,
    );
  if (decoded?.sort === 'activity' || (!decoded && f.sort === 'activity'))
    return listByActivity(
      db,
      caps,
      workspaceId,
      f,
      decoded?.cursor as CaseCursor | undefined,
      search,
    );
  return listByCreated(
    db,
    caps,
    workspaceId,
    f,
    decoded?.cursor as CreatedCursor | undefined,
    search,
  );
}

/**
 * One page of the walk in order, newest first by (`column`, id), after `after` when given: the
 * page and one case more (there is a next page when it comes back). Both orders of the list walk
 * this way and differ only in the column. A text search that scanned only the newest cases and
 * found less than a page asks again with its fallback.
 */
async function keysetPage(
  db: Kysely<DB>,
  workspaceId: string,
  f: CaseFilter,
  column: 'created_at' | 'last_message_at',
  after: { at: number; id: string } | undefined,
  text: TextFilter | undefined,
) {
  const col = `cases.${column}` as const;
  const fetch = (where?: Expression<SqlBool>) => {
    let q = db
      .selectFrom('cases')
      .leftJoin('customers', 'customers.id', 'cases.customer_id')
      .selectAll('cases')
      .select('customers.display_name as customer_name')
      .where(matching(workspaceId, f, where));
    if (after) {
      q = q.where((eb) =>
        eb.or([
          eb(col, '<', after.at),
          eb.and([eb(col, '=', after.at), eb('cases.id', '<', after.id)]),
        ]),
      );
    }
    return q
      .orderBy(col, 'desc')
      .orderBy('cases.id', 'desc')
      .limit(f.limit + 1)
      .execute();
  };
  const rows = await fetch(text?.where);
  if (text?.fallback && rows.length <= f.limit) return fetch(text.fallback);
  return rows;
}

/** Newest recorded first, by (`created_at`, id): keys no change to a case moves. */
async function listByCreated(
  db: Kysely<DB>,
  caps: Capabilities,
  workspaceId: string,
  f: CaseFilter,
  cursor: CreatedCursor | undefined,
  search: SearchTuning,
) {
  const text = f.q
    ? await textFilter(db, caps, workspaceId, f.q, {
        ...search,
        order: 'created_at',
        before: cursor?.at,
      })
    : undefined;
  const rows = await keysetPage(db, workspaceId, f, 'created_at', cursor, text);
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  const nextCursor =
    rows.length > f.limit && last
      ? encodeCreatedCursor({ at: Number(last.created_at), id: last.id })
      : null;
  return { rows: page, nextCursor };
}

/** `sort=activity`: most recently active first (case.cursor.ts says what a walk returns). */
async function listByActivity(
  db: Kysely<DB>,
  caps: Capabilities,
  workspaceId: string,
  f: CaseFilter,
  given: CaseCursor | undefined,
  search: SearchTuning,
) {
  const cursor: CaseCursor = given ?? {
    since: Date.now() - WALK_START_SLACK_MS,
    at: Number.POSITIVE_INFINITY,
    id: '',
  };
  const first = !given;
  // The cases moved since the walk began, by id: what a walk in order may have missed. They
  // are found first (CROSS JOIN keeps SQLite's join order: without statistics it would rather
  // walk a status or queue index over every open case and sort).
  const moved = async (after: string, limit: number, skip: string[], known?: TextFilter) => {
    if (limit <= 0 || cursor.since === undefined) return [];
    const since = cursor.since;
    const ids = db
      .selectFrom('cases')
      .select('id as moved_id')
      .where('workspace_id', '=', workspaceId)
      .where('inbox_moved_at', '>', since)
      .where('id', '>', after);
    // Usually none moved: answered from the partial index, before any text filter is worked out.
    if (!(await ids.limit(1).executeTakeFirst())) return [];
    // Any case may have moved, so the text filter must hold for all of them, not only for the
    // newest a scan looked at: the indexed plan's list, else all the hits.
    const text =
      f.q === undefined || f.q === ''
        ? undefined
        : known?.plan === 'indexed'
          ? known
          : await textFilter(db, caps, workspaceId, f.q, search);
    let q = db
      .selectFrom(ids.as('m'))
      .crossJoin('cases')
      .leftJoin('customers', 'customers.id', 'cases.customer_id')
      .selectAll('cases')
      .select('customers.display_name as customer_name')
      .whereRef('cases.id', '=', 'm.moved_id')
      .where(matching(workspaceId, f, text ? (text.fallback ?? text.where) : undefined));
    if (skip.length) q = q.where('cases.id', 'not in', skip);
    return q.orderBy('cases.id', 'asc').limit(limit).execute();
  };
  if (cursor.movedAfter !== undefined) {
    const rows = await moved(cursor.movedAfter, f.limit + 1, []);
    const page = rows.slice(0, f.limit);
    const last = page[page.length - 1];
    const nextCursor =
      rows.length > f.limit && last
        ? encodeCursor({ since: cursor.since, movedAfter: last.id })
        : null;
    return { rows: page, nextCursor };
  }
  const before = first ? undefined : cursor.at;
  const text = f.q
    ? await textFilter(db, caps, workspaceId, f.q, { ...search, before })
    : undefined;
  const rows = await keysetPage(
    db,
    workspaceId,
    f,
    'last_message_at',
    first ? undefined : cursor,
    text,
  );
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  if (rows.length > f.limit && last) {
    const nextCursor = encodeCursor({ since: cursor.since, at: last.last_message_at, id: last.id });
    return { rows: page, nextCursor };
  }
  // The walk in order is over: the rest of this page, and the pages after it, are the cases
  // moved since it began (those on this page left out; one on an earlier page comes again).
  const room = f.limit - page.length;
  const extra = await moved(
    '',
    room + 1,
    page.map((r) => r.id),
    text,
  );
  const more = extra.slice(0, room);
  const lastMoved = more[more.length - 1];
  let nextCursor: string | null = null;
  if (extra.length > room && cursor.since !== undefined) {
    nextCursor = encodeCursor({ since: cursor.since, movedAfter: lastMoved?.id ?? '' });
  }
  return { rows: [...page, ...more], nextCursor };
}

export async function getCase(db: Kysely<DB>, workspaceId: string, id: string) {
  return db
    .selectFrom('cases')
    .leftJoin('customers', 'customers.id', 'cases.customer_id')
    .selectAll('cases')
    .select('customers.display_name as customer_name')
    .where('cases.workspace_id', '=', workspaceId)
    .where('cases.id', '=', id)
    .executeTakeFirst();
}

export async function caseNotes(db: Kysely<DB>, caseId: string) {
  return db
    .selectFrom('notes')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('created_at', 'asc')
    .execute();
}

/**
 * Whose room a change to the case may free: its assignee before the change (a route reads it
 * first, then asks for assignment after commit for that agent's queues too).
 */
export async function assigneeBefore(
  db: Kysely<DB>,
  workspaceId: string,
  caseId: string,
): Promise<string | null> {
  const row = await db
    .selectFrom('cases')
    .select('assignee_id')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', caseId)
    .executeTakeFirst();
  return row?.assignee_id ?? null;
}
