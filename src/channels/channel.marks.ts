import { type Kysely, sql } from 'kysely';
import { undoReplyMarkedFailed } from '../cases/reply.failed.js';
import { noticeMarkedFailed } from '../notify/notify.failed-later.js';
import type { DB } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import type { LiveEvent } from '../platform/realtime/bus.js';

/** What applying marks reports to: live events after commit, and an undo that failed. */
export interface MarkHooks {
  publish?: (e: LiveEvent) => void;
  log?: { warn(obj: object, msg: string): void };
}

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
  /**
   * A `failed` mark: the provider's reason (WhatsApp `errors[]`, Twilio `ErrorCode`), shown to
   * the agent in the case history's `reply_failed`; never logged. Kept in memory only: it reaches
   * the history when the mark applies with the webhook that carried it (the message is stored),
   * not when a sweep applies it later.
   */
  error?: MarkError;
}

export interface MarkError {
  /** The provider's code (`132000`, `30003`). */
  code?: string;
  /** What it means, for the agent, naming the provider. */
  reason: string;
}

/**
 * Statuses a message may be in before each status mark applies (never move backwards). A receipt
 * moves only a message the provider has: one still queued (waiting out a retry) reached nobody,
 * and the outbox would later move a "delivered" one back to `sent`. A per-message receipt naming
 * a queued message waits, pending, until the send is stored (`applyBatch`); a watermark skips
 * it, since a later watermark covers it once it is really sent.
 */
const MAY_PRECEDE: Record<Exclude<MarkKind, 'deleted'>, string[]> = {
  sent: ['queued'],
  delivered: ['sent'],
  read: ['sent', 'delivered'],
  failed: ['queued', 'sent'],
};
/** Receipts that wait while their message is queued (see `MAY_PRECEDE`). */
const RECEIPTS = ['delivered', 'read'];

/**
 * Channels whose read receipt names the last message read in a conversation, so that every
 * message we sent that customer there before it was read too: X's
 * `direct_message_mark_read_events` carry only `last_read_event_id`
 * (developer.x.com, Account Activity data objects). Meta's watermarks are `applyWatermark`.
 */
const READ_UP_TO: ReadonlySet<string> = new Set(['x']);

/**
 * How long a mark waits for its message. Webhooks overtake each other by seconds, and our own
 * send gets its provider id when the call returns; a mark whose message has not come in two days
 * names one we never stored (another app's message, a conversation from before the channel was
 * connected) and is deleted, so the waiting marks stay few.
 */
export const MARK_TTL_MS = 48 * 3_600_000;

/**
 * Stores marks durably (idempotent per message and kind), then applies those of them whose
 * message is stored: a receipt webhook costs what it carries, never a scan of older marks.
 */
export async function recordMarks(
  db: Kysely<DB>,
  workspaceId: string,
  marks: Mark[],
  now: number,
  hooks?: MarkHooks,
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
  const ids = [...new Set(marks.map((m) => m.externalId))];
  const errors = new Map<string, MarkError>();
  for (const m of marks)
    if (m.error) errors.set(errorKey(m.channel, m.externalId, m.kind), m.error);
  for (let i = 0; i < ids.length; i += 500) {
    const some = ids.slice(i, i + 500);
    let n = 1000;
    while (n === 1000) n = await applyBatch(db, workspaceId, now, 1000, some, hooks, errors);
  }
}

/**
 * Applies every pending mark whose message is now stored, and deletes those that waited longer
 * than `MARK_TTL_MS`; returns how many were applied. Marks are joined to their messages, so marks
 * that will never match cannot hold back the rest however many there are. Called by the channel
 * timer, now and then after a webhook delivery, and by tests after the pipeline drained.
 */
export async function applyPendingMarks(
  db: Kysely<DB>,
  workspaceId: string,
  now: number,
  batch = 1000,
  hooks?: MarkHooks,
): Promise<number> {
  await db
    .deleteFrom('channel_marks')
    .where('workspace_id', '=', workspaceId)
    .where('applied_at', 'is', null)
    .where('created_at', '<', now - MARK_TTL_MS)
    .execute();
  let applied = 0;
  for (;;) {
    const n = await applyBatch(db, workspaceId, now, batch, undefined, hooks);
    applied += n;
    if (n < batch) return applied;
  }
}

const errorKey = (channel: string, externalId: string, kind: string) =>
  `${channel}\u0000${externalId}\u0000${kind}`;

/**
 * Applies up to `limit` pending marks that have a message (only for `externalIds`, if given);
 * `errors` are the provider reasons of the marks a webhook just carried.
 */
async function applyBatch(
  db: Kysely<DB>,
  workspaceId: string,
  now: number,
  limit: number,
  externalIds?: string[],
  hooks?: MarkHooks,
  errors?: ReadonlyMap<string, MarkError>,
): Promise<number> {
  let q = db
    .selectFrom('channel_marks as k')
    .innerJoin('messages as m', (j) =>
      j
        .onRef('m.workspace_id', '=', 'k.workspace_id')
        .onRef('m.channel', '=', 'k.channel')
        .onRef('m.external_id', '=', 'k.external_id'),
    )
    .select([
      'k.id',
      'k.channel',
      'k.external_id',
      'k.kind',
      'k.at',
      'm.id as message_id',
      'm.deleted_at',
      'm.channel_id',
      'm.customer_id',
      'm.visibility',
      'm.sent_at',
      'm.direction',
    ])
    .where('k.workspace_id', '=', workspaceId)
    .where('k.applied_at', 'is', null)
    // A receipt for a message still queued is left pending, not spent on nothing: it applies
    // once the send is stored as `sent` (the channel timer's sweep), or expires with the rest.
    .where((eb) => eb.or([eb('k.kind', 'not in', RECEIPTS), eb('m.status', '!=', 'queued')]));
  if (externalIds) q = q.where('k.external_id', 'in', externalIds);
  const pending = await q.orderBy('k.created_at').limit(limit).execute();
  if (pending.length === 0) return 0;
  const events = await db.transaction().execute(async (trx) => {
    const events: LiveEvent[] = [];
    for (const m of pending) {
      if (m.kind === 'deleted') {
        if (m.deleted_at === null) {
          await trx
            .updateTable('messages')
            .set({ deleted_at: Number(m.at) })
            .where('id', '=', m.message_id)
            .where('deleted_at', 'is', null)
            .execute();
        }
      } else {
        const before = MAY_PRECEDE[m.kind as Exclude<MarkKind, 'deleted'>] ?? [];
        const moved = await trx
          .updateTable('messages')
          .set({ status: m.kind })
          .where('id', '=', m.message_id)
          .where('status', 'in', before)
          .executeTakeFirst();
        if (m.kind === 'failed' && m.direction === 'out' && Number(moved.numUpdatedRows) > 0) {
          const error = errors?.get(errorKey(m.channel, m.external_id, m.kind));
          events.push(...(await undoFailed(trx, workspaceId, m, now, hooks, error)));
        }
        if (m.kind === 'read' && READ_UP_TO.has(m.channel) && m.visibility === 'private') {
          await trx
            .updateTable('messages')
            .set({ status: 'read' })
            .where('workspace_id', '=', workspaceId)
            .where('channel', '=', m.channel)
            .where('channel_id', '=', m.channel_id)
            .where('customer_id', '=', m.customer_id)
            .where('direction', '=', 'out')
            .where('visibility', '=', 'private')
            .where('sent_at', '<=', Number(m.sent_at))
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
    }
    return events;
  });
  for (const e of events) hooks?.publish?.(e);
  return pending.length;
}

/**
 * A reply the provider failed after it was sent reached nobody: what it settled when queued
 * (kept promises, met response clocks) is undone in the transaction that marks it, as the
 * outbox's give-up does; a problem notice is delivered again on the customer's next route
 * (`noticeMarkedFailed`). Under a savepoint: the message is failed whatever its undo met (the desk
 * must show it), and an undo that throws must not keep the other marks pending for ever.
 */
async function undoFailed(
  trx: Kysely<DB>,
  workspaceId: string,
  m: { message_id: string; channel: string },
  now: number,
  hooks?: MarkHooks,
  error?: MarkError,
): Promise<LiveEvent[]> {
  await sql`savepoint undo_failed_reply`.execute(trx);
  try {
    const events = [
      ...(await undoReplyMarkedFailed(trx, workspaceId, m.message_id, m.channel, now, error)),
      // A problem notice: its customer's next route is tried, else their case goes to the desk.
      ...(await noticeMarkedFailed(trx, workspaceId, m.message_id, m.channel, now, error)),
    ];
    await sql`release savepoint undo_failed_reply`.execute(trx);
    return events;
  } catch (err) {
    hooks?.log?.warn({ err, messageId: m.message_id }, 'undo of a reply failed after it was sent');
    await sql`rollback to savepoint undo_failed_reply`.execute(trx);
    await sql`release savepoint undo_failed_reply`.execute(trx);
    return [];
  }
}

/**
 * Messenger/Instagram receipts carry a watermark: every message we sent to this person before it
 * was delivered (or read). Only messages Meta has move (`MAY_PRECEDE`): a reply still queued or
 * failed was not among them. developers.facebook.com/docs/messenger-platform/reference/webhook-events/message-reads
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
