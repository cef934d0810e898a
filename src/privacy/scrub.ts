import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';

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
function scrubTriage(json: string | null): string | null {
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

const PERSONAL_KEYS = new Set(['text', 'to', 'address', 'subject', 'name', 'body', 'html']);

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
      .select(['id', 'payload_json', 'status'])
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
        personal.every((k) => payload[k] === ERASED || payload[k] == null)
      )
        continue;
      for (const k of personal) payload[k] = ERASED;
      await trx
        .updateTable('outbox')
        .set({
          payload_json: JSON.stringify(payload),
          ...(r.status === 'pending' ? { status: 'failed' as const, last_error: 'erased' } : {}),
        })
        .where('id', '=', r.id)
        .execute();
      n++;
    }
  }
  return n;
}

/**
 * Erases what a case holds about people: its subject, its messages, notes, survey comments,
 * promise descriptions, notification texts, reputation-alert excerpts and outbox payloads. Ids,
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
      .set({ subject: ERASED, erased_at: now })
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
    await trx
      .updateTable('promises')
      .set({ description: ERASED, address: null })
      .where('case_id', 'in', part)
      .execute();
    await trx
      .updateTable('problem_notifications')
      .set({ text: ERASED, address: null })
      .where('case_id', 'in', part)
      .execute();
    await trx
      .updateTable('reputation_alerts')
      .set({ excerpt: ERASED })
      .where('case_id', 'in', part)
      .execute();
    await trx.deleteFrom('presence').where('case_id', 'in', part).execute();
  }
  const messages = opts.messages === false ? 0 : await scrubMessages(trx, workspaceId, { caseIds });
  const outbox = await scrubOutbox(trx, workspaceId, caseIds);
  return { cases: caseIds.length, messages, outbox };
}
