import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';

/**
 * Provider events that change a stored message after the fact: a deletion (X
 * `tweet_delete_events`, a removed Page comment) or a delivery status (Messenger/Instagram
 * `delivery`, WhatsApp `statuses`). Messages are immutable records of what was said, so a
 * deletion sets `deleted_at` and keeps the text in the case; statuses only move forward
 * (sent → delivered → read). A mark is stored first and applied when its message exists, so one
 * that overtakes its message (webhooks are not ordered) still lands later.
 */
export type MarkKind = 'deleted' | 'sent' | 'delivered' | 'read' | 'failed';

export interface Mark {
  channel: string;
  externalId: string;
  kind: MarkKind;
  /** Provider event time, epoch ms. */
  at: number;
}

/** Statuses a message may be in before each status mark applies (never move backwards). */
const MAY_PRECEDE: Record<Exclude<MarkKind, 'deleted'>, string[]> = {
  sent: ['queued'],
  delivered: ['queued', 'sent'],
  read: ['queued', 'sent', 'delivered'],
  failed: ['queued', 'sent'],
};

/**
 * Channels whose read receipt names the last message read in a conversation, so that every
 * message we sent that customer there before it was read too: X's
 * `direct_message_mark_read_events` carry only `last_read_event_id`
 * (developer.x.com, Account Activity data objects). Meta's watermarks are `applyWatermark`.
 */
const READ_UP_TO: ReadonlySet<string> = new Set(['x']);

/** Stores marks durably (idempotent per message and kind), then applies what it can. */
export async function recordMarks(
  db: Kysely<DB>,
  workspaceId: string,
  marks: Mark[],
  now: number,
): Promise<void> {
  if (marks.length === 0) return;
  const rows = marks.map((m) => ({
    id: newId(),
    workspace_id: workspaceId,
    channel: m.channel,
    external_id: m.externalId,
    kind: m.kind,
    at: m.at,
    created_at: now,
    applied_at: null,
  }));
  for (let i = 0; i < rows.length; i += 500) {
    await db
      .insertInto('channel_marks')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) =>
        oc.columns(['workspace_id', 'channel', 'external_id', 'kind']).doNothing(),
      )
      .execute();
  }
  await applyPendingMarks(db, workspaceId, now);
}

/**
 * Applies pending marks whose message is now stored; returns how many were applied. Called after
 * each webhook delivery, by a timer, and by tests after the pipeline drained.
 */
export async function applyPendingMarks(
  db: Kysely<DB>,
  workspaceId: string,
  now: number,
  limit = 1000,
): Promise<number> {
  const pending = await db
    .selectFrom('channel_marks')
    .select(['id', 'channel', 'external_id', 'kind', 'at'])
    .where('workspace_id', '=', workspaceId)
    .where('applied_at', 'is', null)
    .orderBy('created_at')
    .limit(limit)
    .execute();
  if (pending.length === 0) return 0;
  let applied = 0;
  await db.transaction().execute(async (trx) => {
    for (const m of pending) {
      const msg = await trx
        .selectFrom('messages')
        .select([
          'id',
          'status',
          'deleted_at',
          'channel_id',
          'customer_id',
          'visibility',
          'sent_at',
        ])
        .where('workspace_id', '=', workspaceId)
        .where('channel', '=', m.channel)
        .where('external_id', '=', m.external_id)
        .executeTakeFirst();
      if (!msg) continue;
      if (m.kind === 'deleted') {
        if (msg.deleted_at === null) {
          await trx
            .updateTable('messages')
            .set({ deleted_at: Number(m.at) })
            .where('id', '=', msg.id)
            .execute();
        }
      } else {
        const before = MAY_PRECEDE[m.kind as Exclude<MarkKind, 'deleted'>] ?? [];
        await trx
          .updateTable('messages')
          .set({ status: m.kind })
          .where('id', '=', msg.id)
          .where('status', 'in', before)
          .execute();
        if (m.kind === 'read' && READ_UP_TO.has(m.channel) && msg.visibility === 'private') {
          await trx
            .updateTable('messages')
            .set({ status: 'read' })
            .where('workspace_id', '=', workspaceId)
            .where('channel', '=', m.channel)
            .where('channel_id', '=', msg.channel_id)
            .where('customer_id', '=', msg.customer_id)
            .where('direction', '=', 'out')
            .where('visibility', '=', 'private')
            .where('sent_at', '<=', Number(msg.sent_at))
            // A message still queued (waiting out a retry) has not reached them.
            .where('status', 'in', ['sent', 'delivered'])
            .execute();
        }
      }
      await trx
        .updateTable('channel_marks')
        .set({ applied_at: now })
        .where('id', '=', m.id)
        .execute();
      applied++;
    }
  });
  return applied;
}

/**
 * Messenger/Instagram receipts carry a watermark: every message we sent to this person before it
 * was delivered (or read). developers.facebook.com/docs/messenger-platform/reference/webhook-events/message-reads
 */
export async function applyWatermark(
  db: Kysely<DB>,
  workspaceId: string,
  w: {
    channel: string;
    channelId: string;
    customerAddress: string;
    kind: 'delivered' | 'read';
    watermark: number;
  },
): Promise<number> {
  const ids = db
    .selectFrom('identities')
    .select('customer_id')
    .where('workspace_id', '=', workspaceId)
    .where('channel', '=', w.channel)
    .where('address', '=', w.customerAddress);
  const res = await db
    .updateTable('messages')
    .set({ status: w.kind })
    .where('workspace_id', '=', workspaceId)
    .where('channel', '=', w.channel)
    .where('channel_id', '=', w.channelId)
    .where('direction', '=', 'out')
    .where('customer_id', 'in', ids)
    .where('sent_at', '<=', w.watermark)
    .where('status', 'in', MAY_PRECEDE[w.kind])
    .executeTakeFirst();
  return Number(res.numUpdatedRows ?? 0);
}
