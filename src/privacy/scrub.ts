import { type Kysely, sql } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { ERASED_DELIVERY_WHY, failErasedReplies } from './erase-deliveries.js';

/** What an erased text reads as, everywhere the API would show it. */
export const ERASED = '[erased]';

const CHUNK = 300;

export function chunks<T>(list: readonly T[], n = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < list.length; i += n) out.push(list.slice(i, i + n));
  return out;
}

/**
 * A message's triage without its PII spans (offsets into the erased text) and without a postal
 * code. Topic, complaint, sentiment and the place down to a city stay: they are what scorecards
 * and the problem detector count (a city is shared by many; a ZIP with a time and topic may not be).
 */
export function scrubTriage(json: string | null): string | null {
  if (!json) return json;
  try {
    const t = JSON.parse(json) as Record<string, unknown>;
    const area = t.area && typeof t.area === 'object' ? { ...t.area, postalCode: null } : t.area;
    return JSON.stringify({ ...t, pii: [], area });
  } catch {
    return null;
  }
}

/**
 * Erases the personal data of messages: text, author address and name, attachments, raw payload,
 * and the raw inbound event each came from (which holds the same text and sender). Returns how
 * many messages. The text-search index follows (SQLite triggers, PostgreSQL indexes the column).
 */
export async function scrubMessages(
  trx: Kysely<DB>,
  workspaceId: string,
  where: {
    caseIds?: readonly string[];
    customerIds?: readonly string[];
    messageIds?: readonly string[];
  },
): Promise<number> {
  let n = 0;
  for (const [column, ids] of [
    ['case_id', where.caseIds ?? []],
    ['customer_id', where.customerIds ?? []],
    ['id', where.messageIds ?? []],
  ] as const) {
    for (const part of chunks(ids)) {
      const rows = await trx
        .selectFrom('messages')
        .select(['id', 'channel', 'external_id', 'triage_json', 'text'])
        .where(column, 'in', part)
        .where('workspace_id', '=', workspaceId)
        .execute();
      for (const m of rows) {
        if (m.text === ERASED) continue;
        await trx
          .updateTable('messages')
          .set({
            text: ERASED,
            author_address: ERASED,
            author_name: null,
            attachments_json: '[]',
            raw_json: null,
            triage_json: scrubTriage(m.triage_json),
          })
          .where('id', '=', m.id)
          .execute();
        await trx
          .updateTable('inbound_events')
          .set({ payload_json: JSON.stringify({ erased: true }) })
          .where('workspace_id', '=', workspaceId)
          .where('channel', '=', m.channel)
          .where('external_id', '=', m.external_id)
          .execute();
        n++;
      }
    }
  }
  return n;
}

/** A nullable text column as `[erased]`, left null where it was: whether there was one stays. */
export const erasedIfSet = (column: string) =>
  sql<string | null>`case when ${sql.ref(column)} is null then null else ${ERASED} end`;

/**
 * Case-history fields people write (or the desk writes to a customer): a status change's or
 * escalation's why, how a promise was kept or cancelled, a suggested apology or reply, a merge's
 * reason. Every other field of an entry is an id, a kind, a status or a time, and stays.
 */
const HISTORY_TEXT = new Set(['why', 'how', 'text', 'suggestedReply', 'body', 'comment', 'note']);
const HISTORY_TEXT_OF: Record<string, string[]> = {
  customer_merged: ['reason'],
  customer_unmerged: ['reason'],
};

/** The free text of these cases' history entries, as `[erased]`. */
async function scrubHistory(trx: Kysely<DB>, caseIds: readonly string[]): Promise<void> {
  const rows = await trx
    .selectFrom('case_events')
    .select(['id', 'type', 'data_json'])
    .where('case_id', 'in', caseIds)
    .execute();
  await rewriteHistory(trx, rows);
}

/**
 * The history entries these merges (and their undoing) wrote, on whichever case they moved: the
 * reason a person gave may name either customer. Found by the merge id in the entry (a UUID, so a
 * substring match finds exactly its entries).
 */
export async function scrubMergeHistory(trx: Kysely<DB>, mergeIds: readonly string[]) {
  for (const part of chunks(mergeIds, 50)) {
    const rows = await trx
      .selectFrom('case_events')
      .select(['id', 'type', 'data_json'])
      .where('type', 'in', Object.keys(HISTORY_TEXT_OF))
      .where((eb) => eb.or(part.map((id) => eb('data_json', 'like', `%${id}%`))))
      .execute();
    await rewriteHistory(trx, rows);
  }
}

async function rewriteHistory(
  trx: Kysely<DB>,
  rows: { id: string; type: string; data_json: string }[],
): Promise<void> {
  for (const r of rows) {
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(r.data_json) as Record<string, unknown>;
    } catch {
      data = {};
    }
    const keys = Object.keys(data).filter(
      (k) =>
        (HISTORY_TEXT.has(k) || HISTORY_TEXT_OF[r.type]?.includes(k)) &&
        typeof data[k] === 'string' &&
        data[k] !== ERASED &&
        data[k] !== ERASED_DELIVERY_WHY,
    );
    if (keys.length === 0) continue;
    for (const k of keys) data[k] = ERASED;
    await trx
      .updateTable('case_events')
      .set({ data_json: JSON.stringify(data) })
      .where('id', '=', r.id)
      .execute();
  }
}

// `refused`: the routes a notice failed on after sending, with their addresses and the provider's
// reasons (src/notify/notify.failed-later.ts).
const PERSONAL_KEYS = new Set([
  'text',
  'to',
  'address',
  'subject',
  'name',
  'body',
  'html',
  'refused',
]);

/**
 * Outbox deliveries about these cases (replies, survey invitations, loop-closing notices): the
 * texts and addresses in their payloads are erased, and any not yet delivered is ended, so
 * nothing more is sent to the erased person.
 */
export async function scrubOutbox(
  trx: Kysely<DB>,
  workspaceId: string,
  caseIds: readonly string[],
): Promise<number> {
  let n = 0;
  for (const part of chunks(caseIds, 50)) {
    const rows = await trx
      .selectFrom('outbox')
      .select(['id', 'payload_json', 'status', 'last_error'])
      .where('workspace_id', '=', workspaceId)
      .where((eb) => eb.or(part.map((id) => eb('payload_json', 'like', `%${id}%`))))
      .execute();
    for (const r of rows) {
      let payload: Record<string, unknown> = {};
      try {
        payload = JSON.parse(r.payload_json) as Record<string, unknown>;
      } catch {}
      const personal = Object.keys(payload).filter((k) => PERSONAL_KEYS.has(k));
      // Already erased (a customer erased after retention took their cases): nothing to rewrite.
      if (
        r.status !== 'pending' &&
        personal.every((k) => payload[k] === ERASED || payload[k] == null) &&
        (r.last_error === null || r.last_error === ERASED || r.last_error === 'erased')
      )
        continue;
      for (const k of personal) payload[k] = ERASED;
      // A provider's error may quote the address it refused.
      const lastError = r.last_error === null || r.last_error === 'erased' ? r.last_error : ERASED;
      await trx
        .updateTable('outbox')
        .set({
          payload_json: JSON.stringify(payload),
          last_error: lastError,
          ...(r.status === 'pending' ? { status: 'failed' as const, last_error: 'erased' } : {}),
        })
        .where('id', '=', r.id)
        .execute();
      n++;
    }
  }
  return n;
}

/** A promise's texts: what was promised, where to, and how it was kept or cancelled. */
export const ERASED_PROMISE = {
  description: ERASED,
  address: null,
  settled_how: erasedIfSet('settled_how'),
};
/** A loop-closing notice's text and address, and its provider's error (which may quote it). */
export const ERASED_NOTIFICATION = { text: ERASED, address: null, error: erasedIfSet('error') };

/**
 * Erases what a case holds about people: its subject, its messages, notes, survey comments,
 * promise texts, notification texts, reputation-alert excerpts, outbox payloads and the free
 * text of its history (`scrubHistory`). Ids,
 * times, status, priority, topic and counts stay, so reports and problems keep their numbers.
 * `messages: false` leaves the messages to the caller (an erasure of one person keeps other
 * people's posts in a public conversation that person started).
 */
export async function scrubCases(
  trx: Kysely<DB>,
  workspaceId: string,
  caseIds: readonly string[],
  now: number,
  opts: { messages?: boolean } = {},
): Promise<{ cases: number; messages: number; outbox: number }> {
  for (const part of chunks(caseIds)) {
    await trx
      .updateTable('cases')
      // A re-run keeps when the case was first erased.
      .set({ subject: ERASED, erased_at: sql<number>`coalesce(erased_at, ${now})` })
      .where('id', 'in', part)
      .execute();
    await trx
      .updateTable('notes')
      .set({ body: ERASED, mentions_json: '[]' })
      .where('case_id', 'in', part)
      .execute();
    // The rating stays (CSAT scores); the comment and the survey link do not.
    const surveys = await trx
      .selectFrom('csat_surveys')
      .select('id')
      .where('case_id', 'in', part)
      .execute();
    for (const s of surveys)
      await trx
        .updateTable('csat_surveys')
        .set({ comment: null, token: `erased-${s.id}` })
        .where('id', '=', s.id)
        .execute();
    await trx.updateTable('promises').set(ERASED_PROMISE).where('case_id', 'in', part).execute();
    await trx
      .updateTable('problem_notifications')
      .set(ERASED_NOTIFICATION)
      .where('case_id', 'in', part)
      .execute();
    await scrubHistory(trx, part);
    await trx
      .updateTable('reputation_alerts')
      .set({ excerpt: ERASED })
      .where('case_id', 'in', part)
      .execute();
    await trx.deleteFrom('presence').where('case_id', 'in', part).execute();
  }
  const messages = opts.messages === false ? 0 : await scrubMessages(trx, workspaceId, { caseIds });
  const outbox = await scrubOutbox(trx, workspaceId, caseIds);
  await failErasedReplies(trx, workspaceId, caseIds, now);
  return { cases: caseIds.length, messages, outbox };
}
