import type { Kysely } from 'kysely';
import { undoFailedReply } from '../cases/reply.failed.js';
import type { DB } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import type { LiveEvent } from '../platform/realtime/bus.js';
import { MAX_PARTS, partMessageId } from './notify.parts.js';
import { delivery, deliveryKey, type NoticePayload, type RefusedRoute } from './notify.service.js';

/** The author of the notices the notifier records on cases (notify.record.ts). */
export const NOTICE_AUTHOR = 'system:problems';

/**
 * A problem notice (or a part of one) the provider took and then reported failed: a Twilio status
 * callback `undelivered`/`failed`, a WhatsApp `failed` status, a bounce. Called in the transaction
 * where the mark first makes the message `failed` (channel.marks.ts). The customer was not told:
 *
 * - the case's history says so (`reply_failed`, with the provider's reason and code), as for
 *   every failed message, and the agent's client hears it live (`message.status`);
 * - the notification is `queued` again, its error saying what failed, and a new delivery is
 *   queued that excludes the failed route (and those failed so before), so the customer's next
 *   identity is tried as when the send itself is refused; with none left the notification ends
 *   `failed` and a fixed case goes back to the desk as `customer_not_notified`
 *   (notify.handler.ts). While it is queued, the quiet period does not resolve the case
 *   (problem.worker.ts).
 */
export async function noticeMarkedFailed(
  trx: Kysely<DB>,
  workspaceId: string,
  messageId: string,
  channel: string,
  now: number,
  provider?: { code?: string; reason: string },
): Promise<LiveEvent[]> {
  const m = await trx
    .selectFrom('messages')
    .select(['id', 'case_id', 'customer_id', 'channel', 'author_address', 'direction'])
    .select('visibility')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', messageId)
    .executeTakeFirst();
  if (!m?.case_id || m.direction !== 'out' || m.author_address !== NOTICE_AUTHOR) return [];
  const reason =
    provider?.reason ??
    `${channel}: the provider reported the message failed after accepting it, and gave no reason`;
  const events = await undoFailedReply(
    trx,
    {
      workspaceId,
      messageId,
      // A notice kept no promise and met no clock: only the history entry (as for the survey).
      automated: true,
      error: 'failed_after_sent',
      reason,
      ...(provider?.code ? { providerCode: provider.code } : {}),
      by: `mark:${channel}`,
    },
    now,
  );
  events.push({
    type: 'message.status',
    workspaceId,
    data: {
      caseId: m.case_id,
      messageId,
      status: 'failed',
      error: 'failed_after_sent',
      why: reason,
      ...(provider?.code ? { providerCode: provider.code } : {}),
    },
  });
  if (!m.customer_id) return events;
  const failed: RefusedRoute = {
    channel: m.channel,
    // The notification's address (the route's `to`) is read below; the message has none.
    to: '',
    visibility: m.visibility === 'public' ? 'public' : 'private',
    why: `the provider reported the notice undelivered after taking it (message ${messageId}): ${reason}`,
    short: 'the provider reported a notice undelivered there',
  };
  for (const n of await noticesOf(trx, m.customer_id, messageId)) {
    if (!n.address) continue;
    const route = { ...failed, to: n.address };
    const refused = [...(await failedBefore(trx, n.update_id, n.case_id)), route];
    await trx
      .updateTable('problem_notifications')
      .set({
        status: 'queued',
        // The next delivery's own message id: the failed one is taken.
        message_id: newId(),
        sent_at: null,
        error: `${m.channel}: ${route.why}`.slice(0, 1000),
        created_at: now,
      })
      .where('id', '=', n.id)
      .execute();
    await trx
      .insertInto('outbox')
      .values(
        delivery(workspaceId, n.update_id, n.case_id, now, `:failed:${messageId}`, now, refused),
      )
      .onConflict((oc) => oc.column('idempotency_key').doNothing())
      .execute();
  }
  return events;
}

/**
 * The sent notifications to the customer that this message carried (it, or one of its parts:
 * notify.parts.ts). Several when a later notice was not sent again because it said the same
 * words (it counts as sent by this message): each is delivered again, and the older ones are
 * then superseded by the newest (notify.handler.ts).
 */
async function noticesOf(trx: Kysely<DB>, customerId: string, messageId: string) {
  const sent = await trx
    .selectFrom('problem_notifications')
    .select(['id', 'update_id', 'case_id', 'message_id', 'address'])
    .where('customer_id', '=', customerId)
    .where('status', '=', 'sent')
    .where('message_id', 'is not', null)
    .execute();
  return sent.filter((n) =>
    Array.from({ length: MAX_PARTS }, (_, k) => partMessageId(n.message_id!, k)).includes(
      messageId,
    ),
  );
}

/** Routes earlier deliveries of this notification failed on after sending (their payloads). */
async function failedBefore(
  trx: Kysely<DB>,
  updateId: string,
  caseId: string,
): Promise<RefusedRoute[]> {
  const rows = await trx
    .selectFrom('outbox')
    .select('payload_json')
    .where('idempotency_key', 'like', `${deliveryKey(updateId, caseId, ':failed:')}%`)
    .execute();
  return rows.flatMap((r) => {
    try {
      // An erased payload holds "[erased]" there (src/privacy/scrub.ts).
      const refused = (JSON.parse(r.payload_json) as NoticePayload).refused;
      return Array.isArray(refused) ? refused : [];
    } catch {
      return [];
    }
  });
}
