import type { Kysely } from 'kysely';
import { allocate } from '../ingest/pipeline/stages/persist.js';
import { subjectOf } from '../ingest/pipeline/stages/thread.js';
import type { DB } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import { applySla, type SlaEvent } from '../sla/sla.store.js';

/**
 * After an unmerge has given the merged customer back its identities and their messages: the
 * messages its identities sent while merged were threaded as the survivor's, into the survivor's
 * cases. Each goes where it would have gone had the two never been merged, so that a case and
 * its customer's timeline agree:
 *
 * - a case of the survivor's that only the merged identities wrote in (started while merged)
 *   is the merged customer's, whole, with the replies in it;
 * - a private message in a case the survivor wrote in too (it joined the survivor's open case)
 *   moves, with the replies that answered it, to a case of its own for the merged customer: same
 *   status, queue, priority and assignee as the case it leaves, SLA clocks from its first message;
 * - a public message stays: a public reply joins the conversation's case whoever wrote it.
 *
 * Returns the cases given back whole and the cases split off (for their history).
 */
export async function separateLaterTraffic(
  trx: Kysely<DB>,
  ws: string,
  m: { id: string; survivor_id: string; merged_id: string },
  movedBeforeMerge: string[],
  now: number,
): Promise<{ given: string[]; split: { from: string; to: string }[] }> {
  const before = new Set(movedBeforeMerge);
  const stray = (
    await trx
      .selectFrom('messages')
      .innerJoin('cases', 'cases.id', 'messages.case_id')
      .select(['messages.id', 'messages.case_id'])
      .where('messages.customer_id', '=', m.merged_id)
      .where('cases.customer_id', '=', m.survivor_id)
      .execute()
  ).filter((r) => !before.has(r.id));
  const byCase = new Map<string, string[]>();
  for (const r of stray) byCase.set(r.case_id!, [...(byCase.get(r.case_id!) ?? []), r.id]);
  const given: string[] = [];
  const split: { from: string; to: string }[] = [];
  for (const [caseId] of byCase) {
    const messages = await trx
      .selectFrom('messages')
      .selectAll()
      .where('case_id', '=', caseId)
      .orderBy('sent_at')
      .orderBy('id')
      .execute();
    const othersWrote = messages.some((x) => x.direction === 'in' && x.customer_id !== m.merged_id);
    if (!othersWrote) {
      await trx
        .updateTable('cases')
        .set({ customer_id: m.merged_id, updated_at: now })
        .where('id', '=', caseId)
        .execute();
      await trx
        .updateTable('messages')
        .set({ customer_id: m.merged_id })
        .where('case_id', '=', caseId)
        .where('direction', '=', 'out')
        .execute();
      given.push(caseId);
      continue;
    }
    const theirs = messages.filter(
      (x) =>
        x.direction === 'in' &&
        x.customer_id === m.merged_id &&
        x.visibility === 'private' &&
        !before.has(x.id),
    );
    if (theirs.length === 0) continue;
    const answered = new Set(theirs.map((x) => x.external_id));
    const replies = messages.filter(
      (x) => x.direction === 'out' && x.in_reply_to !== null && answered.has(x.in_reply_to),
    );
    const moving = [...theirs, ...replies].sort((a, b) => Number(a.sent_at) - Number(b.sent_at));
    const to = await splitOff(trx, ws, caseId, m.merged_id, moving, now);
    split.push({ from: caseId, to });
  }
  return { given, split };
}

type MessageRow = Awaited<ReturnType<typeof loadMessages>>[number];
const loadMessages = (trx: Kysely<DB>, caseId: string) =>
  trx.selectFrom('messages').selectAll().where('case_id', '=', caseId).execute();

/** A new case of `customerId` holding `moving` (sent-time order), taken out of case `fromId`. */
async function splitOff(
  trx: Kysely<DB>,
  ws: string,
  fromId: string,
  customerId: string,
  moving: MessageRow[],
  now: number,
): Promise<string> {
  const from = await trx
    .selectFrom('cases')
    .selectAll()
    .where('id', '=', fromId)
    .executeTakeFirstOrThrow();
  const first = moving[0]!;
  const inbound = moving.filter((x) => x.direction === 'in');
  const outbound = moving.filter((x) => x.direction === 'out');
  const id = newId();
  const number = await allocate(trx, ws, 'case_number', 1);
  await trx
    .insertInto('cases')
    .values({
      id,
      workspace_id: ws,
      number,
      customer_id: customerId,
      status: from.status,
      status_reason: from.status_reason,
      priority: from.priority,
      queue_id: from.queue_id,
      assignee_id: from.assignee_id,
      channel: first.channel,
      subject: subjectOf(inbound[0]?.text ?? first.text),
      language: inbound[0]?.language ?? null,
      opened_at: Number(first.sent_at),
      last_message_at: Math.max(...moving.map((x) => Number(x.sent_at))),
      last_inbound_at: inbound.length ? Math.max(...inbound.map((x) => Number(x.sent_at))) : null,
      first_response_at: outbound.length ? Number(outbound[0]!.sent_at) : null,
      resolved_at: from.resolved_at,
      closed_at: from.closed_at,
      message_count: moving.length,
      version: 1,
      created_at: now,
      updated_at: now,
    })
    .execute();
  const ids = moving.map((x) => x.id);
  await trx
    .updateTable('messages')
    .set({ case_id: id, customer_id: customerId })
    .where('id', 'in', ids)
    .execute();
  // The case they leave: its counts and activity are what remains in it.
  const rest = await trx
    .selectFrom('messages')
    .select(['direction', 'sent_at'])
    .where('case_id', '=', fromId)
    .execute();
  const times = (d: string) =>
    rest.filter((r) => d === '' || r.direction === d).map((r) => Number(r.sent_at));
  await trx
    .updateTable('cases')
    .set({
      message_count: rest.length,
      last_message_at: times('').length ? Math.max(...times('')) : Number(from.opened_at),
      last_inbound_at: times('in').length ? Math.max(...times('in')) : null,
      version: Number(from.version) + 1,
      updated_at: now,
    })
    .where('id', '=', fromId)
    .execute();
  // Clocks as the pipeline would have started them for a case of its own.
  const events: SlaEvent[] = [];
  const at = (x: MessageRow): SlaEvent => ({
    caseId: id,
    type: 'opened',
    at: Number(x.sent_at),
    priority: from.priority,
    channel: first.channel,
  });
  events.push(at(first));
  for (const x of moving.slice(1)) {
    events.push({ ...at(x), type: x.direction === 'in' ? 'customer_wrote' : 'agent_replied' });
  }
  if (from.status === 'resolved' || from.status === 'closed') {
    events.push({ ...at(first), type: from.status, at: Number(from.resolved_at ?? now) });
  } else if (from.status === 'pending') {
    events.push({ ...at(first), type: 'pending_customer', at: now, firstResponseRuns: true });
  }
  await applySla(trx, ws, events, now);
  return id;
}
