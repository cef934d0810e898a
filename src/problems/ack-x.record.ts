import type { Kysely } from 'kysely';
import { adoptEcho, type EchoCarry } from '../channels/channel.echo.js';
import type { ConnectorError } from '../channels/connector-error.js';
import type { OutboundMessage, SendResult } from '../channels/sender.js';
import { touchCase } from '../notify/notify.record.js';
import type { DB } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';

/** Who an acknowledgement's follow-up was for (`ack-x.ts`). */
export interface FollowUpContext {
  workspaceId: string;
  problemId: string;
  customerId: string;
}

/**
 * Records a follow-up X took (the DM, or the public reply with our DM link): its message on the
 * case, as a notice is (`notify.record.ts`), and a `problem_followup` entry in the case's history
 * saying how it went. X has it: nothing here may throw back into a retry (a second DM), so
 * should storing X's id fail (its echo stored under it by then as someone else's), the message
 * is stored under our own id.
 */
export async function recordFollowUp(
  db: Kysely<DB>,
  ctx: FollowUpContext,
  msg: OutboundMessage,
  result: SendResult,
  now: number,
  data: { via: 'dm' | 'dm_link'; dmRefused?: string },
): Promise<void> {
  const entry = { ...data, problemId: ctx.problemId, messageId: msg.messageId };
  try {
    await db.transaction().execute(async (trx) => {
      const carried = result.externalId
        ? await adoptEcho(trx, ctx.workspaceId, msg, result.externalId)
        : {};
      await store(trx, ctx, msg, result.externalId, 'sent', carried, now);
      await followUpEvent(trx, ctx, msg.caseId, 'problem_followup', entry, now);
    });
  } catch (err) {
    const why = `sent, but storing the provider id failed: ${(err as Error).message}`;
    await db.transaction().execute(async (trx) => {
      await store(trx, ctx, msg, undefined, 'sent', {}, now);
      await followUpEvent(trx, ctx, msg.caseId, 'problem_followup', { ...entry, note: why }, now);
    });
  }
}

/**
 * Records a follow-up DM nobody got: the DM on the case as `failed` (the desk sees what the
 * customer was not told) and a `problem_followup_failed` entry with X's reason.
 */
export async function recordFollowUpFailed(
  db: Kysely<DB>,
  ctx: FollowUpContext,
  dm: OutboundMessage,
  refusal: ConnectorError,
  now: number,
  more?: string,
): Promise<void> {
  const error = [`${refusal.kind}: ${refusal.message}`, more].filter(Boolean).join('; ');
  await db.transaction().execute(async (trx) => {
    await store(trx, ctx, dm, undefined, 'failed', {}, now);
    await followUpEvent(
      trx,
      ctx,
      dm.caseId,
      'problem_followup_failed',
      { problemId: ctx.problemId, messageId: dm.messageId, error: error.slice(0, 1000) },
      now,
    );
  });
}

/**
 * Records a follow-up DM not sent because a newer notice of the problem took its place: the
 * customer hears that news instead (`problem_followup_superseded`, naming the notice).
 */
export async function recordFollowUpSuperseded(
  db: Kysely<DB>,
  ctx: FollowUpContext,
  caseId: string,
  noticeId: string,
  now: number,
): Promise<void> {
  const data = { problemId: ctx.problemId, supersededBy: noticeId };
  await db
    .transaction()
    .execute((trx) => followUpEvent(trx, ctx, caseId, 'problem_followup_superseded', data, now));
}

async function store(
  trx: Kysely<DB>,
  ctx: FollowUpContext,
  msg: OutboundMessage,
  externalId: string | undefined,
  status: 'sent' | 'failed',
  carried: EchoCarry,
  now: number,
) {
  const inserted = await trx
    .insertInto('messages')
    .values({
      id: msg.messageId,
      workspace_id: ctx.workspaceId,
      case_id: msg.caseId,
      customer_id: ctx.customerId,
      channel: msg.channel,
      channel_id: msg.channelId,
      // Without X's id (it answered 2xx without one, or the send failed): our own, as a reply's.
      external_id: externalId ?? `tl-${msg.messageId}`,
      direction: 'out',
      visibility: msg.visibility,
      author_address: 'system:problems',
      author_name: 'Throughline',
      text: msg.text,
      sent_at: now,
      received_at: now,
      in_reply_to: msg.inReplyTo,
      conversation_id: null,
      language: null,
      attachments_json: '[]',
      triage_json: null,
      raw_json: null,
      status: carried.status ?? status,
      user_id: null,
      deleted_at: carried.deleted_at ?? null,
      unsolicited: 0,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0 || status !== 'sent') return;
  // The case's latest message, as a notice is: the customer's answer to the DM threads into it.
  // An automatic message is no person's answer: the case's status and SLA clocks are left alone.
  await touchCase(trx, msg.caseId, now);
}

function followUpEvent(
  trx: Kysely<DB>,
  ctx: FollowUpContext,
  caseId: string,
  type: string,
  data: Record<string, unknown>,
  now: number,
) {
  return trx
    .insertInto('case_events')
    .values({
      id: newId(),
      workspace_id: ctx.workspaceId,
      case_id: caseId,
      type,
      actor_type: 'system',
      actor_id: 'problems',
      data_json: JSON.stringify(data),
      created_at: now,
      event_at: now,
    })
    .execute();
}
