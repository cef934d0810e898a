import type { Insertable, Kysely } from 'kysely';
import { sql } from 'kysely';
import { pipelineCaseEventRows } from '../../../cases/case.store.js';
import {
  chunkSizes,
  executeRaw,
  insertRows,
  param,
  statementText,
} from '../../../platform/db/bulk.js';
import type { Capabilities } from '../../../platform/db/database.js';
import type { DB, MessageTable } from '../../../platform/db/schema.js';
import { newId } from '../../../platform/ids.js';
import { groupKeyOf } from '../../../routing/rules.js';
import type { BatchState, CaseState, Stage, StageContext } from '../types.js';

/**
 * Writes every decision of the batch, in the batch's transaction: customers, identities, new
 * cases (numbered from the workspace counter), messages, case changes and history, and the
 * inbound events' new status. Rejected payloads are parked here with their reason.
 */
export const persist: Stage = {
  name: 'persist',
  async run(batch: BatchState, ctx: StageContext) {
    const { trx, settings, now } = ctx;
    const ws = settings.workspaceId;
    const { caps } = ctx;
    await insertRows(trx, caps, 'customers', batch.newCustomers);
    await insertRows(trx, caps, 'identities', batch.newIdentities);

    const created = [...batch.cases.values()].filter((c) => c.isNew);
    if (created.length > 0) {
      const last = await allocate(trx, ws, 'case_number', created.length);
      let n = last - created.length;
      const rows = created.map((c) => ({
        id: c.id,
        workspace_id: ws,
        number: ++n,
        customer_id: c.customerId,
        status: c.status,
        status_reason: c.statusReason,
        priority: c.priority,
        queue_id: c.queueId,
        assignee_id: null,
        channel: c.channel,
        subject: c.subject,
        language: c.language,
        opened_at: c.openedAt,
        last_message_at: c.lastMessageAt,
        last_inbound_at: c.lastInboundAt,
        first_response_at: c.firstResponseAt,
        resolved_at: c.resolvedAt,
        closed_at: null,
        message_count: c.addedMessages,
        version: 1,
        created_at: now,
        updated_at: now,
        // A case a later-arriving post took over is that post's: its topic, as if it opened it.
        topic: c.rerooted ? (c.rerooted.triage?.topic ?? null) : (c.routing?.topic ?? null),
        priority_score: c.routing?.priorityScore ?? 0,
        group_key: c.rerooted ? groupKeyOf(c.rerooted.triage) : (c.routing?.groupKey ?? null),
      }));
      await insertRows(trx, caps, 'cases', rows);
    }
    // In id order (the order PostgreSQL then usually locks them in), so that concurrent
    // batches are less likely to deadlock.
    const changed = [...batch.cases.values()]
      .filter((c) => !c.isNew && c.dirty)
      .sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
    await updateCases(trx, caps, changed, now);
    await rerootStoredCases(trx, changed);
    // The brand's replies that waited as orphans for the post they answer (thread.ts).
    for (const r of batch.adoptedReplies) {
      await trx
        .updateTable('messages')
        .set({ case_id: r.caseId, customer_id: r.customerId })
        .where('id', '=', r.messageId)
        .where('case_id', 'is', null)
        .execute();
    }

    const messages: Insertable<MessageTable>[] = [];
    for (const item of batch.items) {
      const m = item.msg;
      if (!m || item.rejected || item.duplicate) continue;
      messages.push({
        id: newId(),
        workspace_id: ws,
        case_id: item.caseId,
        customer_id: item.customerId,
        channel: m.channel,
        channel_id: m.channelId ?? null,
        external_id: m.externalId,
        direction: item.direction,
        visibility: item.visibility,
        author_address: m.author.id,
        author_name: m.author.name ?? m.author.handle ?? null,
        text: item.text,
        sent_at: item.sentAt,
        received_at: item.receivedAt,
        in_reply_to: m.inReplyTo ?? null,
        conversation_id: m.conversationId ?? null,
        language: item.triage?.language ?? null,
        attachments_json: JSON.stringify(m.attachments ?? []),
        triage_json: item.triage ? JSON.stringify(item.triage) : null,
        // The provider's payload stays in the inbound log (payload_json); one copy is enough.
        raw_json: null,
        status: item.direction === 'in' ? 'received' : 'sent',
        user_id: null,
        deleted_at: null,
        unsolicited: m.unsolicited ? 1 : 0,
      });
    }
    await insertRows(trx, caps, 'messages', messages);

    await insertRows(trx, caps, 'case_events', pipelineCaseEventRows(ws, batch.caseEvents, now));

    const done = batch.items.filter((i) => !i.rejected).map((i) => i.seq);
    for (let i = 0; i < done.length; i += 5000) {
      await trx
        .updateTable('inbound_events')
        .set({ status: 'done', processed_at: now, last_error: null })
        .where('seq', 'in', done.slice(i, i + 5000))
        .execute();
    }
    for (const item of batch.items) {
      if (!item.rejected) continue;
      await trx
        .updateTable('inbound_events')
        .set({ status: 'parked', last_error: item.rejected, attempts: sql<number>`attempts + 1` })
        .where('seq', '=', item.seq)
        .execute();
    }
  },
};

/**
 * Applies every changed case of the batch in one UPDATE … FROM (VALUES …) per chunk instead of one
 * statement per case. VALUES columns are `column1…` on both engines; numbers are CAST so that
 * PostgreSQL does not read the parameters as text.
 */
async function updateCases(trx: Kysely<DB>, caps: Capabilities, cases: CaseState[], now: number) {
  const perRow = 10;
  let at = 0;
  for (const size of chunkSizes(caps, cases.length, perRow + 1)) {
    // Parameters bind in text order with `?`: `now` (twice in the SET list) comes first.
    const params: unknown[] = caps.placeholders === '?' ? [now, now] : [now];
    for (const c of cases.slice(at, at + size)) {
      params.push(c.id, c.status, c.statusReason, c.priority, c.queueId);
      params.push(c.lastMessageAt, c.lastInboundAt, c.firstResponseAt, c.resolvedAt);
      params.push(c.addedMessages);
    }
    at += size;
    const text = statementText(`update cases\u0000${caps.placeholders}\u0000${size}`, () => {
      const tuples: string[] = [];
      let n = 1;
      const p = () => param(caps, ++n);
      for (let r = 0; r < size; r++) {
        const marks = [p(), p(), p(), p(), p()];
        for (let i = 0; i < 4; i++) marks.push(`cast(${p()} as bigint)`);
        marks.push(`cast(${p()} as integer)`);
        tuples.push(`(${marks.join(', ')})`);
      }
      return `update cases set
        status = v.column2,
        status_reason = v.column3,
        priority = v.column4,
        queue_id = v.column5,
        last_message_at = v.column6,
        inbox_moved_at = case when v.column6 <> cases.last_message_at
          then cast(${param(caps, 1)} as bigint) else cases.inbox_moved_at end,
        last_inbound_at = v.column7,
        first_response_at = v.column8,
        resolved_at = v.column9,
        message_count = cases.message_count + v.column10,
        version = cases.version + 1,
        updated_at = cast(${param(caps, 1)} as bigint)
      from (values ${tuples.join(', ')}) as v
      where cases.id = v.column1`;
    });
    await executeRaw(trx, text, params);
  }
}

/** Stored cases a post took over (rare): what makes them the post's, beside `updateCases`. */
async function rerootStoredCases(trx: Kysely<DB>, changed: CaseState[]) {
  for (const c of changed) {
    if (!c.rerooted) continue;
    await trx
      .updateTable('cases')
      .set({
        customer_id: c.customerId,
        opened_at: c.openedAt,
        subject: c.subject,
        language: c.language,
        topic: c.rerooted.triage?.topic ?? null,
        group_key: groupKeyOf(c.rerooted.triage),
      })
      .where('id', '=', c.id)
      .execute();
  }
}

/** Reserves `count` numbers from a workspace counter; returns the last one reserved. */
export async function allocate(
  trx: Kysely<DB>,
  workspaceId: string,
  name: string,
  count: number,
): Promise<number> {
  const row = await trx
    .updateTable('counters')
    .set({ value: sql<number>`value + ${count}` })
    .where('workspace_id', '=', workspaceId)
    .where('name', '=', name)
    .returning('value')
    .executeTakeFirst();
  if (row) return Number(row.value);
  await trx
    .insertInto('counters')
    .values({ workspace_id: workspaceId, name, value: count })
    .execute();
  return count;
}
