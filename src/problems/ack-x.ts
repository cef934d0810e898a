import type { Kysely } from 'kysely';
import { ConnectorError } from '../channels/connector-error.js';
import type { OutboundMessage, Sender } from '../channels/sender.js';
import { xDmDeepLink } from '../channels/x/x.links.js';
import { queueNotifications } from '../notify/notify.service.js';
import type { Database } from '../platform/db/database.js';
import type { DB } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import { outboxRow } from '../platform/outbox/outbox.row.js';
import { OutboxDeferred, type OutboxHandler } from '../platform/outbox/outbox.worker.js';
import { ERASED } from '../privacy/scrub.js';
import { recordFollowUp, recordFollowUpFailed, recordFollowUpSuperseded } from './ack-x.record.js';
import { customerTopic, subjectPhrase } from './problem.settings.js';

/*
 * The informed acknowledgement of a complaint on X (PRODUCT.md, "a public reply with a private
 * follow-up on X"). A public post is answered in its thread with a short reply anyone may read
 * (no place, no ETA: a ZIP code under someone's post says where they live), and the full
 * acknowledgement (status, place, ETA) follows privately as a DM. Whether the complaint was a
 * public post or a DM is known only once the pipeline stored it (after detection), so the
 * acknowledgement is queued as one outbox row (`problem_ack_x`) that decides when its turn comes.
 */

export const ACK_X_KIND = 'problem_ack_x';

/** How long after its public reply is queued the follow-up DM goes. */
export const FOLLOW_UP_AFTER_MS = 5_000;

/** The payload of a `problem_ack_x` outbox row. */
export interface AckXPayload {
  problemId: string;
  caseId: string;
  customerId: string;
  /** The acknowledgement's notification (`ack:<problem>`), which carries the public reply. */
  updateId: string;
  /** The short reply under the customer's post. */
  publicText: string;
  /** The full acknowledgement: the public reply to a DM, the DM after a public reply. */
  privateText: string;
  /** Our id of the follow-up DM, and of the public reply with our DM link if X refuses the DM. */
  dmMessageId: string;
  linkMessageId: string;
  /**
   * The notification whose public reply the notifier already sent (a status or fix notice under
   * a public post, notice-x.ts): only the DM follows. Absent on an acknowledgement, whose row
   * queues its own notice first.
   */
  notificationId?: string;
}

/** The last words of every short public reply on X: the full text follows privately. */
export const DETAILS_BY_DM = "We're sending you the details by DM.";

/**
 * The public reply: what the trouble is by its topic alone (never the problem's place or title)
 * and where it stands, and that the details come by DM. A few fixed words: far below X's 280.
 */
export function publicAckText(p: {
  topic?: string | null;
  status: string;
  title?: string;
}): string {
  const trouble = subjectPhrase({ topic: customerTopic(p) });
  const news =
    p.status === 'fixed' || p.status === 'verified'
      ? `${trouble[0].toUpperCase()}${trouble.slice(1)} is fixed.`
      : `We know about ${trouble} and our team is on it.`;
  return `Thanks for telling us. ${news} ${DETAILS_BY_DM}`;
}

/** The public reply that gives our DM deep link when X refused the DM (the customer's settings). */
export const dmLinkText = (link: string) =>
  `We couldn't send you a DM with the details. Message us here and we'll share them: ${link}`;

/** Whether a case is on X: the batch's copy when it has one (not stored yet), else the stored row. */
export async function caseOnX(
  trx: Kysely<DB>,
  caseId: string,
  batchChannel: string | undefined,
): Promise<boolean> {
  if (batchChannel !== undefined) return batchChannel === 'x';
  const c = await trx
    .selectFrom('cases')
    .select('channel')
    .where('id', '=', caseId)
    .executeTakeFirst();
  return c?.channel === 'x';
}

/** Queues the acknowledgement of a complaint on X in the batch's transaction (idempotent per case). */
export async function queueXAcknowledgement(
  trx: Kysely<DB>,
  ws: string,
  now: number,
  a: { problemId: string; caseId: string; customerId: string },
  /** The acknowledgement's update id (`ACK_PREFIX`, acknowledge.ts). */
  updateId: string,
  problem: { topic?: string | null; status: string; title?: string },
  privateText: string,
) {
  const payload: AckXPayload = {
    problemId: a.problemId,
    caseId: a.caseId,
    customerId: a.customerId,
    updateId,
    publicText: publicAckText(problem),
    privateText,
    dmMessageId: newId(),
    linkMessageId: newId(),
  };
  await trx
    .insertInto('outbox')
    .values(
      outboxRow({
        workspaceId: ws,
        kind: ACK_X_KIND,
        key: `${ACK_X_KIND}:${a.problemId}:${a.caseId}`,
        payload,
        now,
      }),
    )
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .execute();
}

export interface AckXDeps {
  database: Database;
  senders: Map<string, Sender>;
  clock: () => number;
}

/**
 * Delivers a `problem_ack_x` row. The customer's newest X message on the case says how: a DM is
 * answered by the full acknowledgement as a notification (the notifier's route: a DM, or a
 * fallback); a public post gets the short public reply as that notification (so its delivery is
 * tracked per customer like every notice) and the full one as a DM from here, recorded on the
 * case. A DM X refuses for good (the customer takes no DMs from us: 403) becomes a public reply
 * with our DM deep link, so the customer can open the private conversation themselves. A
 * temporary failure (a 429 until its reset, a 5xx) is retried by the outbox; the X sender
 * defers a send while X's window is spent without calling it.
 */
export function ackXHandler(deps: AckXDeps): OutboxHandler {
  const { db } = deps.database;
  return async (payload, idempotencyKey, row) => {
    const p = payload as AckXPayload;
    const ctx = { workspaceId: row.workspaceId, problemId: p.problemId, customerId: p.customerId };
    const post = await customerPost(db, p);
    if (!post) return;
    const queued = await db
      .selectFrom('problem_notifications')
      .select(['id', 'text'])
      .$if(!!p.notificationId, (q) => q.where('id', '=', p.notificationId!))
      .$if(!p.notificationId, (q) =>
        q.where('update_id', '=', p.updateId).where('case_id', '=', p.caseId),
      )
      .executeTakeFirst();
    // A notice's follow-up: its public reply was sent (the notice's row is kept with it).
    if (p.notificationId && !queued) return;
    // No X channel record behind the post (one that came through the inbound API, a channel
    // since disabled): nothing to send a DM from, so no public "details by DM" that no DM would
    // follow; the full acknowledgement takes the notifier's route (another identity, e-mail).
    const sender = deps.senders.get('x');
    const ready = async (channelId: string | null) =>
      !!sender &&
      (!sender.ready || (await sender.ready({ channel: 'x', channelId, caseId: p.caseId })));
    // Decided once: a retry (the DM met a 429) keeps what the first attempt queued, whatever the
    // customer wrote since.
    const isPublic = p.notificationId
      ? true
      : queued
        ? queued.text === p.publicText
        : post.visibility === 'public' && (await ready(post.channel_id));
    if (!queued) {
      const text = isPublic ? p.publicText : p.privateText;
      const link = [{ case_id: p.caseId, customer_id: p.customerId }];
      const n = await db
        .transaction()
        .execute((trx) =>
          queueNotifications(
            trx,
            row.workspaceId,
            p.problemId,
            p.updateId,
            text,
            link,
            deps.clock(),
          ),
        );
      // Erased meanwhile: nothing queued, nothing to follow up.
      if (n === 0) return;
    }
    if (!isPublic) return;
    // The public reply goes first (its notice was just queued, due now), the DM a moment later:
    // a follow-up, as a care team answers on X. Waiting is not an attempt.
    if (!queued) throw new OutboxDeferred('the public reply goes first', FOLLOW_UP_AFTER_MS);
    // Sent (or recorded as failed) by an earlier attempt: never a second DM.
    const done = await db
      .selectFrom('messages')
      .select('id')
      .where('id', 'in', [p.dmMessageId, p.linkMessageId])
      .executeTakeFirst();
    if (done) return;
    // A newer notice of the problem to this customer is queued or sent (ids are time-ordered; a
    // DM held hours by X's daily DM cap): its news replaces the status and ETA this DM would
    // give, as the notifier supersedes an out-of-date notice.
    const newer = await db
      .selectFrom('problem_notifications')
      .select('id')
      .where('problem_id', '=', p.problemId)
      .where('customer_id', '=', p.customerId)
      .where('status', 'in', ['queued', 'sent'])
      .where('id', '>', queued.id)
      .limit(1)
      .executeTakeFirst();
    if (newer) {
      await recordFollowUpSuperseded(db, ctx, p.caseId, newer.id, deps.clock());
      return;
    }
    const base = {
      caseId: p.caseId,
      channel: 'x',
      channelId: post.channel_id,
      to: post.author_address,
      automated: true,
    };
    const dm: OutboundMessage = {
      ...base,
      messageId: p.dmMessageId,
      inReplyTo: null,
      visibility: 'private',
      text: p.privateText,
    };
    // The channel went away since the public reply (disabled meanwhile): the desk is told.
    if (!sender || !(await ready(post.channel_id))) {
      const gone = new ConnectorError('not_configured', 'the X channel can no longer send');
      await recordFollowUpFailed(db, ctx, dm, gone, deps.clock());
      return;
    }
    let refusal: ConnectorError;
    try {
      const sent = await sender(dm, idempotencyKey);
      await recordFollowUp(db, ctx, dm, sent, deps.clock(), { via: 'dm' });
      return;
    } catch (err) {
      refusal = asConnectorError(err);
      if (refusal.retryable || !linkMayHelp(refusal)) {
        // The outbox tries again; on its last attempt (or a failure nothing fixes, a revoked
        // token) the DM the customer never got shows on their case.
        if (row.last || !refusal.retryable)
          await recordFollowUpFailed(db, ctx, dm, refusal, deps.clock());
        throw refusal;
      }
    }
    const accountId = await accountOf(db, post.channel_id);
    if (!accountId) {
      const why = 'no X account id to link a DM to';
      await recordFollowUpFailed(db, ctx, dm, refusal, deps.clock(), why);
      return;
    }
    // Under the customer's newest public post (they may have written privately since).
    const thread = post.visibility === 'public' ? post : await customerPost(db, p, 'public');
    const linkMsg: OutboundMessage = {
      ...base,
      messageId: p.linkMessageId,
      inReplyTo: thread?.external_id ?? post.external_id,
      visibility: 'public',
      text: dmLinkText(xDmDeepLink(accountId)),
    };
    try {
      const sent = await sender(linkMsg, `${idempotencyKey}:link`);
      await recordFollowUp(db, ctx, linkMsg, sent, deps.clock(), {
        via: 'dm_link',
        dmRefused: `${refusal.kind}: ${refusal.message}`.slice(0, 500),
      });
    } catch (err) {
      const ce = asConnectorError(err);
      const why = `the reply with the DM link failed too: ${ce.kind}: ${ce.message}`;
      if (row.last || !ce.retryable)
        await recordFollowUpFailed(db, ctx, dm, refusal, deps.clock(), why);
      throw ce;
    }
  };
}

const asConnectorError = (err: unknown) =>
  err instanceof ConnectorError ? err : new ConnectorError('unknown', (err as Error).message);

/**
 * A refusal a DM link can get round: the customer's DM settings (X's 403) or X refusing this DM
 * (a 400). Not a revoked token or a channel gone: a public reply would fail the same way.
 */
const linkMayHelp = (ce: ConnectorError) =>
  ce.kind === 'permission_missing' || ce.kind === 'bad_request';

/**
 * The customer's newest X message on the case, while the acknowledgement is still theirs to get:
 * null when the customer or case was erased, the case taken out of the problem, or the address
 * is the erasure's placeholder.
 */
async function customerPost(db: Kysely<DB>, p: AckXPayload, only?: 'public') {
  const due = await db
    .selectFrom('problem_links')
    .innerJoin('cases', 'cases.id', 'problem_links.case_id')
    .innerJoin('customers', 'customers.id', 'problem_links.customer_id')
    .select('problem_links.case_id')
    .where('problem_links.problem_id', '=', p.problemId)
    .where('problem_links.case_id', '=', p.caseId)
    .where('problem_links.unlinked_at', 'is', null)
    .where('cases.erased_at', 'is', null)
    .where('customers.erased_at', 'is', null)
    .executeTakeFirst();
  if (!due) return null;
  const post = await db
    .selectFrom('messages')
    .select(['external_id', 'author_address', 'channel_id', 'visibility'])
    .where('case_id', '=', p.caseId)
    .where('customer_id', '=', p.customerId)
    .where('channel', '=', 'x')
    .where('direction', '=', 'in')
    .$if(only === 'public', (q) => q.where('visibility', '=', 'public'))
    .orderBy('sent_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return post && post.author_address !== ERASED ? post : null;
}

/** The X account of the channel the customer wrote to: the DM link invites them to it. */
async function accountOf(db: Kysely<DB>, channelId: string | null): Promise<string | null> {
  if (!channelId) return null;
  const ch = await db
    .selectFrom('channels')
    .select('config_json')
    .where('id', '=', channelId)
    .executeTakeFirst();
  const id = ch ? (JSON.parse(ch.config_json) as { accountId?: unknown }).accountId : undefined;
  return typeof id === 'string' && id ? id : null;
}
