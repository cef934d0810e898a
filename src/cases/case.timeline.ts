import type { Kysely, Selectable } from 'kysely';
import type { CaseEventTable, DB } from '../platform/db/schema.js';
import { badRequest, notFound } from '../platform/errors.js';
import { idCursor, idPage } from '../platform/http/id-page.js';
import { iso, type MessageDto, toCaseSummary, toMessageDto, withFailures } from './case.dto.js';
import { problemsOfCases } from './case.problems.js';
import { caseNotes, getCase } from './case.queries.js';

/**
 * How many of its latest messages and history entries a case shows (`GET /api/v1/cases/:id`,
 * a PATCH's answer). A case a bot or a flood wrote thousands of messages into was one answer of
 * megabytes, read and serialised whole on every open; older ones are paged from
 * `…/messages` and `…/history`.
 */
export const CASE_VIEW_LIMIT = 100;

interface Page {
  limit: number;
  cursor?: string;
}

/**
 * A case's messages, newest first, keyset on (`sent_at`, id): the timeline is in event time, and
 * history imported later has older times than its ids. The cursor is a message id, as on the
 * other lists; its time is read back. It is looked up in the workspace, not the case, so a walk
 * goes on past a message a merge or unmerge moved to another case meanwhile.
 */
export async function caseMessagesPage(
  db: Kysely<DB>,
  workspaceId: string,
  caseId: string,
  p: Page,
) {
  const after = idCursor(p.cursor);
  let q = db.selectFrom('messages').selectAll().where('case_id', '=', caseId);
  if (after !== undefined) {
    const at = await db
      .selectFrom('messages')
      .select(['id', 'sent_at'])
      .where('workspace_id', '=', workspaceId)
      .where('id', '=', after)
      .executeTakeFirst();
    if (!at) throw badRequest('cursor is not valid');
    q = q.where((eb) =>
      eb.or([
        eb('sent_at', '<', at.sent_at),
        eb.and([eb('sent_at', '=', at.sent_at), eb('id', '<', at.id)]),
      ]),
    );
  }
  const rows = await q
    .orderBy('sent_at', 'desc')
    .orderBy('id', 'desc')
    .limit(p.limit + 1)
    .execute();
  return idPage(rows, p.limit);
}

/** A case's history, newest first, keyset on id (UUIDv7: the order it was recorded in). */
export async function caseHistoryPage(db: Kysely<DB>, caseId: string, p: Page) {
  const after = idCursor(p.cursor);
  let q = db.selectFrom('case_events').selectAll().where('case_id', '=', caseId);
  if (after !== undefined) q = q.where('id', '<', after);
  const rows = await q
    .orderBy('id', 'desc')
    .limit(p.limit + 1)
    .execute();
  return idPage(rows, p.limit);
}

/**
 * Messages as the API shows them, a failed reply with the reason its `reply_failed` entry gives.
 * That entry is looked for among all the case's, not only the page of history shown beside them.
 */
export async function messageDtos(
  db: Kysely<DB>,
  caseId: string,
  rows: Parameters<typeof toMessageDto>[0][],
): Promise<MessageDto[]> {
  const dtos = rows.map(toMessageDto);
  if (!dtos.some((m) => m.status === 'failed')) return dtos;
  const failures = await db
    .selectFrom('case_events')
    .select(['type', 'data_json'])
    .where('case_id', '=', caseId)
    .where('type', '=', 'reply_failed')
    .orderBy('id', 'asc')
    .execute();
  return withFailures(dtos, failures);
}

export function toHistoryDto(h: Selectable<CaseEventTable>) {
  return {
    id: h.id,
    type: h.type,
    actor: { type: h.actor_type, id: h.actor_id },
    data: JSON.parse(h.data_json) as unknown,
    at: iso(h.event_at),
    recordedAt: iso(h.created_at),
  };
}

/** Where the case view's list stops: more before it, and the cursor of the sub-resource to them. */
const more = (nextCursor: string | null) => ({ hasMore: nextCursor !== null, nextCursor });

/**
 * One case with its latest `CASE_VIEW_LIMIT` messages and history entries, oldest first (as the
 * view always listed them), its notes and the problems it is linked to (GET, and a PATCH's answer). `messagesPage` and
 * `historyPage` say whether older ones exist; their `nextCursor` continues at
 * `…/messages?cursor=` and `…/history?cursor=`, which list newest first.
 */
export async function caseView(db: Kysely<DB>, workspaceId: string, id: string) {
  const c = await getCase(db, workspaceId, id);
  if (!c) throw notFound('case');
  const page = { limit: CASE_VIEW_LIMIT };
  const [messages, history, notes, problems] = await Promise.all([
    caseMessagesPage(db, workspaceId, c.id, page),
    caseHistoryPage(db, c.id, page),
    caseNotes(db, c.id),
    problemsOfCases(db, workspaceId, [c.id]),
  ]);
  return {
    ...toCaseSummary(c),
    problems: problems.get(c.id) ?? [],
    messages: await messageDtos(db, c.id, messages.page.reverse()),
    messagesPage: more(messages.nextCursor),
    history: history.page.reverse().map(toHistoryDto),
    historyPage: more(history.nextCursor),
    notes: notes.map((n) => ({
      id: n.id,
      authorId: n.author_id,
      body: n.body,
      mentions: JSON.parse(n.mentions_json),
      createdAt: iso(n.created_at),
    })),
  };
}
