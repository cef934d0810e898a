import { type Kysely, sql } from 'kysely';
import { adoptEcho, type EchoCarry } from '../channels/channel.echo.js';
import type { SendResult } from '../channels/sender.js';
import type { DB } from '../platform/db/schema.js';
import type { Route } from './route.js';

export interface SentNotice {
  workspaceId: string;
  notification: { id: string; customer_id: string; text: string };
  /** The notice's message id (the notification's own until one was sent). */
  messageId: string;
  /** The case the notice went out on. */
  caseId: string;
  route: Route;
  /**
   * One part of a notice split for its channel (notify.parts.ts): its words, and whether it is
   * the last part (only then is the notification `sent`, with the first part's message id,
   * `firstId`). The whole notice when absent.
   */
  part?: { text: string; last: boolean; firstId: string };
}

export interface RecordOptions {
  sentAt: number;
  /** What the notification's `error` says (earlier routes' failures, why this route), or null. */
  note: string | null;
  /** Runs in the transaction that records the notice (the quiet period counted from it). */
  after: (trx: Kysely<DB>, sentAt: number) => Promise<void>;
}

/**
 * Records a notice the provider took: its message on the case and the notification `sent`. The
 * sender returned, so nothing here may throw back into the send's failure path (the outbox would
 * tell the customer again). The provider's echo of this very send (a Messenger `is_echo`, our own
 * tweet) may already be stored under the returned id: it is folded into our row (`adoptEcho`), as
 * for a reply. Should storing with the id still fail, the notice is recorded without it, the
 * notification's error saying why.
 */
export async function recordNotice(
  db: Kysely<DB>,
  s: SentNotice,
  result: SendResult,
  o: RecordOptions,
): Promise<void> {
  try {
    await db.transaction().execute(async (trx) => {
      const carried = result.externalId
        ? await adoptEcho(
            trx,
            s.workspaceId,
            { messageId: s.messageId, channel: s.route.channel },
            result.externalId,
          )
        : {};
      await store(trx, s, result.externalId ?? `tl-${s.messageId}`, carried, o.note, o);
    });
  } catch (err) {
    const why = `sent, but storing the provider id failed: ${(err as Error).message}`;
    const note = [o.note, why]
      .filter((x) => x)
      .join('; ')
      .slice(0, 1000);
    await db.transaction().execute(async (trx) => {
      await store(trx, s, `tl-${s.messageId}`, {}, note, o);
    });
  }
}

async function store(
  trx: Kysely<DB>,
  s: SentNotice,
  externalId: string,
  carried: EchoCarry,
  note: string | null,
  o: RecordOptions,
): Promise<void> {
  const { route, notification: n } = s;
  const inserted = await trx
    .insertInto('messages')
    .values({
      id: s.messageId,
      workspace_id: s.workspaceId,
      case_id: s.caseId,
      customer_id: n.customer_id,
      channel: route.channel,
      channel_id: route.channelId,
      external_id: externalId,
      direction: 'out',
      visibility: route.visibility,
      author_address: 'system:problems',
      author_name: 'Throughline',
      text: s.part?.text ?? n.text,
      sent_at: o.sentAt,
      received_at: o.sentAt,
      in_reply_to: route.inReplyTo,
      conversation_id: null,
      language: null,
      attachments_json: '[]',
      triage_json: null,
      raw_json: null,
      status: carried.status ?? 'sent',
      user_id: null,
      deleted_at: carried.deleted_at ?? null,
      unsolicited: 0,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  // The notice is the case's latest message, as an agent's reply is: the customer's answer (an
  // SMS has no reply reference) threads into this case within the thread window counted from
  // it, not from their complaint days before.
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) await touchCase(trx, s.caseId, o.sentAt);
  if (s.part && !s.part.last) {
    // More parts to send: the notification is not sent yet; a note (an id not stored) is kept.
    if (note !== o.note)
      await trx
        .updateTable('problem_notifications')
        .set({ error: note })
        .where('id', '=', n.id)
        .execute();
    return;
  }
  await trx
    .updateTable('problem_notifications')
    .set({
      status: 'sent',
      channel: route.channel,
      address: route.to,
      message_id: s.part?.firstId ?? s.messageId,
      sent_at: o.sentAt,
      error: note,
    })
    .where('id', '=', n.id)
    .execute();
  await o.after(trx, o.sentAt);
}

/**
 * What a sent notice changes on its case (as an agent's reply does, src/cases/case.reply.ts):
 * its latest message time, message count and version. Not its status or first response: an
 * automatic notice is no person's answer, so a new case stays new and its SLA runs on.
 */
export async function touchCase(trx: Kysely<DB>, caseId: string, sentAt: number) {
  const c = await trx
    .selectFrom('cases')
    .select('last_message_at')
    .where('id', '=', caseId)
    .executeTakeFirst();
  if (!c) return;
  await trx
    .updateTable('cases')
    .set({
      last_message_at: Math.max(Number(c.last_message_at), sentAt),
      message_count: sql<number>`message_count + 1`,
      version: sql<number>`version + 1`,
      updated_at: sentAt,
    })
    .where('id', '=', caseId)
    .execute();
}
