import type { Expression, Kysely, SqlBool } from 'kysely';
import type { Capabilities } from '../platform/db/database.js';
import type { DB } from '../platform/db/schema.js';
import { badRequest } from '../platform/errors.js';
import { type SearchTuning, textFilter } from './case.search.js';

export interface CaseFilter {
  status?: string[];
  queue?: string;
  channel?: string[];
  assignee?: string;
  customer?: string;
  q?: string;
  limit: number;
  cursor?: string;
}

/** Cursor = base64url("<last_message_at>:<id>") of the last row of the previous page. */
export function encodeCursor(lastMessageAt: number, id: string): string {
  return Buffer.from(`${lastMessageAt}:${id}`).toString('base64url');
}

function decodeCursor(cursor: string): { at: number; id: string } {
  const raw = Buffer.from(cursor, 'base64url').toString('utf8');
  const i = raw.indexOf(':');
  const at = Number(raw.slice(0, i));
  if (i < 1 || !Number.isFinite(at)) throw badRequest('cursor is not valid');
  return { at, id: raw.slice(i + 1) };
}

/** The inbox: most recently active first, keyset-paged so deep pages stay cheap. */
export async function listCases(
  db: Kysely<DB>,
  caps: Capabilities,
  workspaceId: string,
  f: CaseFilter,
  search: SearchTuning = {},
) {
  const cursor = f.cursor ? decodeCursor(f.cursor) : undefined;
  const text = f.q
    ? await textFilter(db, caps, workspaceId, f.q, { ...search, before: cursor?.at })
    : undefined;
  const fetch = (where?: Expression<SqlBool>) => {
    let q = db
      .selectFrom('cases')
      .leftJoin('customers', 'customers.id', 'cases.customer_id')
      .selectAll('cases')
      .select('customers.display_name as customer_name')
      .where('cases.workspace_id', '=', workspaceId);
    if (f.status?.length) q = q.where('cases.status', 'in', f.status as never[]);
    if (f.queue) q = q.where('cases.queue_id', '=', f.queue);
    if (f.channel?.length) q = q.where('cases.channel', 'in', f.channel);
    if (f.assignee === 'none') q = q.where('cases.assignee_id', 'is', null);
    else if (f.assignee) q = q.where('cases.assignee_id', '=', f.assignee);
    if (f.customer) q = q.where('cases.customer_id', '=', f.customer);
    if (where) q = q.where(where);
    if (cursor) {
      q = q.where((eb) =>
        eb.or([
          eb('cases.last_message_at', '<', cursor.at),
          eb.and([eb('cases.last_message_at', '=', cursor.at), eb('cases.id', '<', cursor.id)]),
        ]),
      );
    }
    return q
      .orderBy('cases.last_message_at', 'desc')
      .orderBy('cases.id', 'desc')
      .limit(f.limit + 1)
      .execute();
  };
  let rows = await fetch(text?.where);
  // A text search that scanned only the newest cases and found less than a page asks again.
  if (text?.fallback && rows.length <= f.limit) rows = await fetch(text.fallback);
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  const nextCursor =
    rows.length > f.limit && last ? encodeCursor(last.last_message_at, last.id) : null;
  return { rows: page, nextCursor };
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

export async function caseMessages(db: Kysely<DB>, caseId: string) {
  return db
    .selectFrom('messages')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('sent_at', 'asc')
    .orderBy('id', 'asc')
    .execute();
}

export async function caseHistory(db: Kysely<DB>, caseId: string) {
  return db
    .selectFrom('case_events')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('id', 'asc')
    .execute();
}

export async function caseNotes(db: Kysely<DB>, caseId: string) {
  return db
    .selectFrom('notes')
    .selectAll()
    .where('case_id', '=', caseId)
    .orderBy('created_at', 'asc')
    .execute();
}
