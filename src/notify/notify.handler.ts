import type { Kysely } from 'kysely';
import { ConnectorError, RuleError } from '../channels/connector-error.js';
import type { OutboundMessage, Sender, SendResult } from '../channels/sender.js';
import type { Database } from '../platform/db/database.js';
import type { DB } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import {
  OutboxDeferred,
  type OutboxHandler,
  outboxBackoffMs,
} from '../platform/outbox/outbox.worker.js';
import { ACK_PREFIX } from '../problems/acknowledge.js';
import { publicXNotice, queueXFollowUp } from '../problems/notice-x.js';
import { releaseFromFix } from '../problems/problem.service.js';
import { loadProblemSettings } from '../problems/problem.settings.js';
import { stillDue } from './notify.cancel.js';
import { noticeParts, partMessageId } from './notify.parts.js';
import { recordNotice } from './notify.record.js';
import { deliveryKey, type NoticePayload } from './notify.service.js';
import { quietFromDelivery } from './quiet-period.js';
import { chooseRoute, type Route, routeKey } from './route.js';

export interface NotifyDeps {
  database: Database;
  senders: Map<string, Sender>;
  clock: () => number;
  /**
   * How long a route may fail temporarily (a rate limit, a provider outage) before the customer's
   * next route is tried, from when the notification was queued: the loop is closed within 15
   * minutes, so the customer gets an e-mail rather than a DM hours later.
   */
  retryBudgetMs?: number;
}

const DEFAULT_RETRY_BUDGET_MS = 10 * 60_000;

/**
 * Delivers one loop-closing notification (outbox kind `notify_customer`): picks the route
 * (case channel under its window rules, else a fallback identity), sends through the channel's
 * Sender, records the outbound message on the case and the delivery status per customer.
 * A customer nobody can reach is marked `undeliverable` (not retried): someone must call them.
 * A route that keeps failing temporarily past the retry budget gives way to the next one; a
 * notification the outbox gives up on ends `failed`. One out of date when its turn comes ends
 * `superseded`, unsent. A problem that flaps does not flood its customers: notices wait
 * (`noticeHoldMinutes`, at queueing) and keep a gap (`noticeGapMinutes`) after the last one sent
 * to the customer about the problem, so newer ones supersede them meanwhile; one saying what the
 * customer was last sent word for word is not sent again. A delivered fix notice starts its
 * customer's quiet period.
 */
export function notifyHandler(deps: NotifyDeps): OutboxHandler {
  const { db } = deps.database;
  return async (payload, idempotencyKey, row) => {
    const { updateId, caseId, refused: refusedBefore = [] } = payload as NoticePayload;
    const n = await db
      .selectFrom('problem_notifications')
      .selectAll()
      .where('update_id', '=', updateId)
      .where('case_id', '=', caseId)
      .executeTakeFirst();
    if (!n || n.status === 'sent' || n.status === 'superseded' || n.status === 'cancelled') return;
    // Erased since it was queued, or its case taken out of the problem (unlinked, split off):
    // not sent ("fixed" to a customer whose case is open under another problem, or to
    // "[erased]"). Otherwise the customer's cases the problem still holds, this one first.
    const viaCases = await stillDue(db, n);
    if (!viaCases) return;
    const now = deps.clock();
    // A newer notice of this problem to this customer is queued or sent (ids are time-ordered):
    // this one is out of date. Sent late (a rate limit held it) it would contradict what the
    // customer is, or is about to be, told; they never get an update older than one they have.
    const newer = await db
      .selectFrom('problem_notifications')
      .select(['id', 'status', 'update_id', 'case_id'])
      .where('problem_id', '=', n.problem_id)
      .where('status', 'in', ['queued', 'sent'])
      .where('customer_id', '=', n.customer_id)
      .where('id', '>', n.id)
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (newer) {
      await db
        .updateTable('problem_notifications')
        .set({ status: 'superseded', error: `superseded by a newer notice (${newer.id})` })
        .where('id', '=', n.id)
        .execute();
      // This one waited out its hold: the newest takes its turn now rather than after a hold of
      // its own, so a problem that keeps flapping still tells its customers its latest state
      // (once per gap) instead of nothing until it settles. Only a delivery still in its hold
      // (due when queued plus the hold): one retrying keeps its schedule, one a worker leased is
      // not handed to another.
      if (newer.status !== 'queued') return;
      const holdMs = (await loadProblemSettings(db, row.workspaceId)).noticeHoldMinutes * 60_000;
      if (holdMs > 0)
        await db
          .updateTable('outbox')
          .set({ next_attempt_at: now })
          .where('idempotency_key', '=', deliveryKey(newer.update_id, newer.case_id))
          .where('status', '=', 'pending')
          .where('attempts', '=', 0)
          .where('next_attempt_at', '>', now)
          .where((eb) => eb('next_attempt_at', '=', eb('created_at', '+', holdMs)))
          .execute();
      return;
    }
    const settings = await loadProblemSettings(db, row.workspaceId);
    // What the customer last heard about this problem.
    const last = await db
      .selectFrom('problem_notifications')
      .select(['id', 'text', 'sent_at', 'channel', 'address', 'message_id'])
      .where('problem_id', '=', n.problem_id)
      .where('customer_id', '=', n.customer_id)
      .where('status', '=', 'sent')
      .where('id', '!=', n.id)
      .orderBy('sent_at', 'desc')
      .orderBy('id', 'desc')
      .limit(1)
      .executeTakeFirst();
    const lastAt = last?.sent_at == null ? null : Number(last.sent_at);
    if (last && lastAt !== null && last.text === n.text) {
      // Fixed → fixing → fixed while the middle notice waited: the customer's latest news is
      // this very one. It counts as told (by that message, at its time: a fix notice's quiet
      // period then runs from the fix), so a later failure of the fix is still theirs to hear.
      await db
        .updateTable('problem_notifications')
        .set({
          status: 'sent',
          channel: last.channel,
          address: last.address,
          message_id: last.message_id,
          sent_at: lastAt,
          error: `not sent again: the customer was sent these words at ${new Date(lastAt).toISOString()} (${last.id})`,
        })
        .where('id', '=', n.id)
        .execute();
      return;
    }
    // Too soon after the last notice: wait (no attempt counted); a newer one queued meanwhile
    // supersedes this one.
    const gapMs = settings.noticeGapMinutes * 60_000;
    if (lastAt !== null && lastAt + gapMs > now)
      throw new OutboxDeferred(
        `the customer was sent a notice about this problem at ${new Date(lastAt).toISOString()} (${last?.id}); next one not before ${new Date(lastAt + gapMs).toISOString()}`,
        lastAt + gapMs - now,
      );
    // On the outbox's last attempt a notification still not sent ends `failed`, not `queued`.
    const lastAttempt = row.last === true;
    // The outbox's own wait after this attempt (its configured cap), else its default schedule.
    const backoffMs = row.backoffMs ?? outboxBackoffMs(row.attempt);
    const budgetMs = deps.retryBudgetMs ?? DEFAULT_RETRY_BUDGET_MS;
    // A temporary failure is waited out only while the next try still falls inside the budget.
    const waitFor = (ce: ConnectorError) =>
      !lastAttempt && now - n.created_at + (ce.retryAfterMs ?? backoffMs) <= budgetMs;
    // Asked with the case the notice would answer (the demo's senders answer per customer).
    const canSend = (caseId: string) => async (channel: string, channelId: string | null) => {
      const sender = deps.senders.get(channel);
      return !!sender && (!sender.ready || (await sender.ready({ channel, channelId, caseId })));
    };
    // Routes a provider refused for good in this attempt: the next route is tried (the
    // customer's e-mail after X refused a DM, say) before the customer counts as unreachable.
    // A delivery the provider reported failed after taking it (`notify.failed-later.ts`) is one of
    // them: this delivery tries the customer's next route.
    const refusedForGood = new Map<string, string>(
      refusedBefore.map((r) => [routeKey(r.channel, r.to, r.visibility), r.short]),
    );
    const errors: string[] = refusedBefore.map((r) => `${r.channel}: ${r.why}`);
    // The last temporary failure of a route passed over for the budget: when no route is left,
    // the notification is retried (all routes again) rather than failed.
    let temporary: ConnectorError | null = null;
    const refusals: string[] = [];
    // One notification per customer goes to their latest linked case; when no route of it
    // works, the customer's other cases of this problem are tried (an X mention answered in
    // its thread when the e-mail case has no mailbox to send from): `viaCases`, above.
    for (let i = 0; ; ) {
      const via = viaCases[i];
      const { route, refused } = await chooseRoute(
        db,
        row.workspaceId,
        via,
        n.customer_id,
        now,
        canSend(via),
        refusedForGood,
      );
      if (!route) {
        refusals.push(...refused);
        if (++i < viaCases.length) continue;
        const retry = temporary !== null && !lastAttempt;
        // Still queued past the budget: say so, and when it is tried again, so the 15-minute
        // target is not missed silently (and its case waits, problem.worker.ts).
        const waiting =
          retry && temporary
            ? [
                `no route can deliver now; tried again at ${new Date(now + (temporary.retryAfterMs ?? backoffMs)).toISOString()}`,
              ]
            : [];
        await db
          .updateTable('problem_notifications')
          .set({
            status: retry ? 'queued' : errors.length > 0 ? 'failed' : 'undeliverable',
            error:
              [...new Set([...waiting, ...errors, ...refusals])].join('; ').slice(0, 1000) ||
              'no address',
          })
          .where('id', '=', n.id)
          .execute();
        if (retry && temporary) throw temporary;
        await notToldBackToDesk(db, row.workspaceId, n, deps.clock());
        if (errors.length > 0) throw new ConnectorError('bad_request', errors.join('; '));
        return;
      }
      const failure = await deliver(route, via);
      if (!failure) return;
      // Said as what it was: the desk's own rule (a length, a window) refused it without asking the
      // provider, or the provider did.
      refusedForGood.set(
        routeKey(route.channel, route.to, route.visibility),
        failure instanceof RuleError
          ? `not sent: the desk's rule (${failure.rule}) refused it`
          : 'refused by the provider',
      );
      // The channel went (removed or disabled since the route was chosen, or its sender says
      // "no SMS channel is configured"): no route, as `chooseRoute` would have found, not a
      // failure to retry for a day; the next route, or undeliverable and back to the desk.
      if (failure === NOT_READY) {
        refusals.push(`${route.channel}: no sender is configured`);
        continue;
      }
      errors.push(`${route.channel}: ${failure.kind}: ${failure.message}`);
      if (failure.retryable) temporary = failure;
      // Refused for good, or failing longer than the budget allows: the next route.
    }

    /** Whether a message (a part of this notice) is stored already. */
    async function storedMessage(id: string): Promise<boolean> {
      return !!(await db
        .selectFrom('messages')
        .select('id')
        .where('id', '=', id)
        .executeTakeFirst());
    }

    /**
     * Sends on one route (in parts where the channel needs: notify.parts.ts) and records it; returns the provider's permanent refusal, or a
     * temporary failure that may not be waited out (see `waitFor`), if any.
     */
    async function deliver(
      route: Route,
      via: string,
    ): Promise<ConnectorError | typeof NOT_READY | null> {
      if (!n) return null;
      const sender = deps.senders.get(route.channel);
      // Stable across retries (the notification's own id until one was sent; a fresh one after a
      // delivery failed later): senders without an idempotency key derive theirs from it.
      const messageId = n.message_id ?? n.id;
      // Under a public X post: the trouble and its status only, the full notice following by DM
      // (notice-x.ts, as the acknowledgement does): a place under someone's post says where
      // they live.
      const publicText =
        route.channel === 'x' && route.visibility === 'public' ? await publicXNotice(db, n) : null;
      const base: OutboundMessage = {
        messageId,
        caseId: via,
        channel: route.channel,
        channelId: route.channelId,
        to: route.to,
        inReplyTo: route.inReplyTo,
        visibility: route.visibility,
        text: publicText ?? n.text,
        // Written by the system: no human-reply rules (Meta's HUMAN_AGENT tag) apply.
        automated: true,
      };
      // Too long for one message of the channel (an SMS, a Messenger message): in parts.
      const parts = await noticeParts(sender, db, base, now);
      for (let k = 0; k < parts.length; k++) {
        const partId = partMessageId(messageId, k);
        const part =
          parts.length > 1
            ? { text: parts[k], last: k === parts.length - 1, firstId: messageId }
            : undefined;
        // Sent by an earlier attempt that then met a temporary failure: not sent twice.
        if (part && (await storedMessage(partId))) continue;
        let result: SendResult;
        try {
          if (!sender)
            throw new ConnectorError(
              'temporary',
              `no sender is configured for channel ${route.channel}`,
            );
          result = await sender(
            { ...base, messageId: partId, text: parts[k] },
            k === 0 ? idempotencyKey : `${idempotencyKey}:${k}`,
          );
        } catch (err) {
          const ce =
            err instanceof ConnectorError
              ? err
              : new ConnectorError('unknown', (err as Error).message);
          // The sender found nothing to send with (`not_configured`: no number, no mailbox, no
          // token), whatever its `ready` said a moment ago: no route, as when `chooseRoute` skips it.
          if (ce.kind === 'not_configured' || !(await canSend(via)(route.channel, route.channelId)))
            return NOT_READY;
          if (!ce.retryable || !waitFor(ce)) return ce;
          await db
            .updateTable('problem_notifications')
            .set({
              status: 'queued',
              channel: route.channel,
              address: route.to,
              error: `${ce.kind}: ${ce.message}`.slice(0, 1000),
            })
            .where('id', '=', n.id)
            .execute();
          throw ce;
        }
        // The provider has the notice (or this part): from here on nothing may send it again,
        // whatever storing the outcome meets (a retry would tell the customer twice).
        await recordNotice(
          db,
          {
            workspaceId: row.workspaceId,
            notification: publicText ? { ...n, text: publicText } : n,
            messageId: partId,
            caseId: via,
            route,
            ...(part ? { part } : {}),
          },
          result,
          {
            sentAt: deps.clock(),
            note:
              route.why === 'case channel' && errors.length === 0
                ? null
                : [...errors, route.why].join('; ').slice(0, 1000),
            after: async (trx, sentAt) => {
              await quietFromDelivery(trx, n, sentAt, settings.quietPeriodMinutes * 60_000);
              if (publicText)
                await queueXFollowUp(trx, row.workspaceId, sentAt, n, via, publicText);
            },
          },
        );
      }
      return null;
    }
  };
}

/** `deliver`'s answer when the route's channel can no longer send at all (see its caller). */
const NOT_READY = Symbol('no channel of the kind is configured');

/** The `status_reason` of a case back at the desk because its customer was not told of the fix. */
export const NOT_NOTIFIED = 'customer_not_notified';

/**
 * A customer nobody could tell of a fix is not waiting on us: their case goes back to the desk
 * (open, with the reason as its `statusReason` and in its history; the quiet-period worker then leaves it alone) instead
 * of resolving unseen, so a person reaches them another way. Otherwise the case's history says
 * who was not told of which update.
 */
async function notToldBackToDesk(
  db: Kysely<DB>,
  ws: string,
  n: { problem_id: string; update_id: string; case_id: string; created_at: number },
  now: number,
) {
  await db.transaction().execute(async (trx) => {
    const why = 'the customer could not be told of the fix: no channel reaches them';
    if (
      (await toldOfFix(trx, n)) &&
      (await releaseFromFix(trx, ws, n.problem_id, [n.case_id], now, why, NOT_NOTIFIED)) > 0
    )
      return;
    await trx
      .insertInto('case_events')
      .values({
        id: newId(),
        workspace_id: ws,
        case_id: n.case_id,
        type: 'customer_not_notified',
        actor_type: 'system',
        actor_id: 'problems',
        data_json: JSON.stringify({ problemId: n.problem_id, updateId: n.update_id }),
        created_at: now,
        event_at: now,
      })
      .execute();
  });
}

/**
 * Whether a notice was to tell its customer of the fix: a status update `fixed`, or the informed
 * acknowledgement (`ack:<problemId>`, acknowledge.ts) of a case linked while the fix stood, which
 * said the problem is fixed and set its case waiting on the customer. An acknowledgement has no
 * `problem_updates` row, so it was once taken for other news and its case, pending, resolved
 * quietly though its customer never heard a word. One queued before the fix (superseded by the
 * fix notice, unless the fix was silent) told of no fix: its case keeps its quiet period.
 */
async function toldOfFix(
  trx: Kysely<DB>,
  n: { problem_id: string; update_id: string; created_at: number },
): Promise<boolean> {
  if (n.update_id.startsWith(ACK_PREFIX)) {
    const p = await trx
      .selectFrom('problems')
      .select('fixed_at')
      .where('id', '=', n.problem_id)
      .executeTakeFirst();
    // PostgreSQL returns bigint columns as strings.
    return p?.fixed_at != null && Number(n.created_at) >= Number(p.fixed_at);
  }
  const update = await trx
    .selectFrom('problem_updates')
    .select('status')
    .where('id', '=', n.update_id)
    .executeTakeFirst();
  return update?.status === 'fixed';
}
