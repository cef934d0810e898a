/**
 * A reply the outbox gave up on (the provider refused it for good, or its retries ran out): what
 * the reply settled when it was queued is undone, since the customer received nothing.
 */
import { type Kysely, sql } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import type { LiveEvent } from '../platform/realtime/bus.js';
import { type SentReply, unkeepPromisesOfReply } from '../promises/promise.undo.js';
import { applySla } from '../sla/sla.store.js';
import { slaEvent } from './case.sla.js';
import { caseEvent } from './case.store.js';

export interface FailedReply {
  workspaceId: string;
  messageId: string;
  /** Written by the system (the CSAT survey): it kept no promise and met no clock. */
  automated: boolean;
  /** The connector's kind of failure (`bad_request`, `permission_missing`, `not_configured`, …). */
  error: string;
  /**
   * Why, in words the agent can act on (the window is closed and what else reaches the customer,
   * the text is too long, the customer opted out): the connector's message as the outbox row
   * keeps it, or a status mark's provider reason. The live `message.status` says the same.
   */
  reason?: string;
  /** The provider's own error code, when it gave one (a status callback's). */
  providerCode?: string;
  /** Who found it failed, for the case history: the outbox unless said otherwise. */
  by?: string;
}

/**
 * Called in the transaction that marks the message failed. A reply keeps promises and meets
 * response clocks when it is queued (the desk answers at once, and most replies go through);
 * the rare one refused for good is undone here rather than making every reply wait for its
 * provider. So: its promises are kept by a later reply of ours, else open again or broken
 * (`unkeepPromisesOfReply`); the response clocks it met run again from where they were, met by
 * the next answer since if there is one (a later reply not failed, the case's resolution), and a
 * deadline passed meanwhile breaches; `firstResponseAt` moves to that answer or goes. The case
 * history says so (`reply_failed`).
 */
export async function undoFailedReply(
  trx: Kysely<DB>,
  f: FailedReply,
  now: number,
): Promise<LiveEvent[]> {
  const m = await trx
    .selectFrom('messages')
    .select(['id', 'case_id', 'channel', 'sent_at', 'direction', 'author_address'])
    .where('workspace_id', '=', f.workspaceId)
    .where('id', '=', f.messageId)
    .executeTakeFirst();
  if (!m?.case_id || m.direction !== 'out') return [];
  // The survey kept no promise and met no clock: nothing to undo. It still failed, and the case
  // says so and why, as for every failed message (the view's `failure` reads this entry).
  if (f.automated) {
    await trx
      .updateTable('cases')
      .set({ version: sql<number>`version + 1`, updated_at: now })
      .where('id', '=', m.case_id)
      .execute();
    const none = { reopened: [], broken: [], keptLater: [] };
    await failedEntry(trx, f, { id: m.id, case_id: m.case_id, channel: m.channel }, none, now);
    return [caseUpdated(f.workspaceId, m.case_id)];
  }
  // The case changes (its history, clocks, maybe its first response): its version moves, and on
  // PostgreSQL the row is locked first, as an agent's reply locks it, before its clocks are read.
  await trx
    .updateTable('cases')
    .set({ version: sql<number>`version + 1`, updated_at: now })
    .where('id', '=', m.case_id)
    .execute();
  const c = await trx
    .selectFrom('cases')
    .select([
      'id',
      'status',
      'priority',
      'channel',
      'first_response_at',
      'resolved_at',
      'closed_at',
    ])
    .where('id', '=', m.case_id)
    .executeTakeFirstOrThrow();
  const failed: SentReply = {
    id: m.id,
    channel: m.channel,
    sentAt: Number(m.sent_at),
    authorAddress: m.author_address,
  };
  const later = await laterReplies(trx, c.id, failed);
  const promises = await unkeepPromisesOfReply(trx, f.workspaceId, c.id, failed, later, now);

  const nextReply = later[0]?.sentAt ?? null;
  const settled =
    c.status === 'resolved' || c.status === 'closed'
      ? Number(c.resolved_at ?? c.closed_at ?? now)
      : null;
  const answeredAt =
    nextReply === null ? settled : settled === null ? nextReply : Math.min(nextReply, settled);
  await applySla(
    trx,
    f.workspaceId,
    [{ ...slaEvent(c, 'reply_failed', now), replyAt: failed.sentAt, answeredAt }],
    now,
  );
  const firstResponse = c.first_response_at === null ? null : Number(c.first_response_at);
  if (firstResponse === failed.sentAt) {
    await trx
      .updateTable('cases')
      .set({ first_response_at: nextReply })
      .where('id', '=', c.id)
      .execute();
  }
  await failedEntry(trx, f, { id: m.id, case_id: c.id, channel: m.channel }, promises, now);
  return [...promises.events, caseUpdated(f.workspaceId, c.id)];
}

const caseUpdated = (workspaceId: string, caseId: string): LiveEvent => ({
  type: 'case.updated',
  workspaceId,
  data: { caseId, change: 'reply_failed' },
});

/** The case history's `reply_failed` entry: which message, why, and what was undone. */
async function failedEntry(
  trx: Kysely<DB>,
  f: FailedReply,
  m: { id: string; case_id: string; channel: string },
  promises: { reopened: string[]; broken: string[]; keptLater: string[] },
  now: number,
) {
  const why = f.reason;
  await caseEvent(
    trx,
    f.workspaceId,
    m.case_id,
    { type: 'system', id: f.by ?? 'outbox' },
    'reply_failed',
    {
      messageId: m.id,
      channel: m.channel,
      error: f.error,
      // `why`: free text (it may name the customer's other addresses), so an erasure blanks it
      // as it does every history entry's `why` (src/privacy/scrub.ts).
      ...(why ? { why } : {}),
      ...(f.providerCode ? { providerCode: f.providerCode } : {}),
      promisesReopened: promises.reopened,
      promisesBroken: promises.broken,
      promisesKeptLater: promises.keptLater,
    },
    now,
  );
}

/**
 * A provider said later that a message we sent failed (a Twilio status callback `failed` or
 * `undelivered`, a WhatsApp failure, an e-mail bounce): called in the transaction where the mark
 * first makes it `failed`. Only a reply the outbox sent (`send_message:<id>`) settled anything;
 * a notice, or a row the provider echoed of a message sent from its own app, has no such row.
 */
export async function undoReplyMarkedFailed(
  trx: Kysely<DB>,
  workspaceId: string,
  messageId: string,
  channel: string,
  now: number,
  provider?: { code?: string; reason: string },
): Promise<LiveEvent[]> {
  const o = await trx
    .selectFrom('outbox')
    .select('payload_json')
    .where('workspace_id', '=', workspaceId)
    .where('idempotency_key', '=', `send_message:${messageId}`)
    .executeTakeFirst();
  if (!o) return [];
  const failed: FailedReply = {
    workspaceId,
    messageId,
    automated: isAutomated(o.payload_json),
    error: 'failed_after_sent',
    reason:
      provider?.reason ??
      `${channel}: the provider reported the message failed after accepting it, and gave no reason`,
    ...(provider?.code ? { providerCode: provider.code } : {}),
    by: `mark:${channel}`,
  };
  const events = await undoFailedReply(trx, failed, now);
  const m = await trx
    .selectFrom('messages')
    .select('case_id')
    .where('id', '=', messageId)
    .executeTakeFirst();
  // As the outbox says of a reply it gave up on, with what the history entry says: the agent's
  // client learns live that the reply it showed sent reached nobody, and why.
  const status: LiveEvent = {
    type: 'message.status',
    workspaceId,
    data: {
      caseId: m?.case_id ?? null,
      messageId,
      status: 'failed',
      error: failed.error,
      why: failed.reason,
      ...(failed.providerCode ? { providerCode: failed.providerCode } : {}),
    },
  };
  return [...events, status];
}

/**
 * Replies of ours on the case after `failed`, oldest first, that a person wrote (not the CSAT
 * survey: the outbox's copy says `automated`) and that were not refused too.
 */
async function laterReplies(
  trx: Kysely<DB>,
  caseId: string,
  failed: SentReply,
): Promise<SentReply[]> {
  const rows = await trx
    .selectFrom('messages')
    .select(['id', 'channel', 'sent_at', 'author_address'])
    .where('case_id', '=', caseId)
    .where('direction', '=', 'out')
    .where('status', '!=', 'failed')
    .where('sent_at', '>=', failed.sentAt)
    .where('id', '!=', failed.id)
    .where((eb) =>
      eb.or([eb('author_address', 'like', 'user:%'), eb('author_address', 'like', 'token:%')]),
    )
    .orderBy('sent_at')
    .orderBy('id')
    .execute();
  if (rows.length === 0) return [];
  const outbox = await trx
    .selectFrom('outbox')
    .select(['idempotency_key', 'payload_json'])
    .where(
      'idempotency_key',
      'in',
      rows.map((r) => `send_message:${r.id}`),
    )
    .execute();
  const automated = new Set(
    outbox
      .filter((o) => isAutomated(o.payload_json))
      .map((o) => o.idempotency_key.slice('send_message:'.length)),
  );
  return rows
    .filter((r) => !automated.has(r.id))
    .map((r) => ({
      id: r.id,
      channel: r.channel,
      sentAt: Number(r.sent_at),
      authorAddress: r.author_address,
    }));
}

/** Whether an outbox payload is a message the system wrote (an erased payload is not JSON). */
function isAutomated(payload: string): boolean {
  try {
    return (JSON.parse(payload) as { automated?: unknown }).automated === true;
  } catch {
    return false;
  }
}
