import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import { outboxRow } from '../platform/outbox/outbox.row.js';
import {
  ACK_X_KIND,
  type AckXPayload,
  DETAILS_BY_DM,
  FOLLOW_UP_AFTER_MS,
  publicAckText,
} from './ack-x.js';
import { ACK_PREFIX } from './acknowledge.js';
import { customerTopic, progressSentence, subjectPhrase } from './problem.settings.js';

/*
 * A problem's status and fix notices under a customer's public X post follow the informed
 * acknowledgement's privacy rule (ack-x.ts): a notice was the full text as a public reply ("the
 * outage in … (94110) is fixed"), telling anyone who read the thread where the customer lives.
 * The notifier (notify.handler.ts) still picks the route and tracks delivery per customer; when
 * the route is a public X reply it sends the short public words of `publicXNotice` instead, and
 * queues the full notice as the acknowledgement's follow-up DM (`queueXFollowUp`, delivered by
 * `ackXHandler`: a DM, our DM link when X refuses it, the desk told when neither goes).
 */

const fixed = (status: string) => status === 'fixed' || status === 'verified';

/**
 * The public words of a status notice: the trouble by its topic alone (no place, no title, no
 * ETA, none of the update's own words, which may name a street) and where it stands.
 */
export function publicNoticeText(p: {
  topic?: string | null;
  status: string;
  title?: string;
}): string {
  const trouble = subjectPhrase({ topic: customerTopic(p) });
  const news = fixed(p.status)
    ? `Good news: ${trouble} is fixed.`
    : `Update on ${trouble}: ${progressSentence(p.status)}`;
  return `${news} ${DETAILS_BY_DM}`;
}

/**
 * What a notice says in a public reply on X, or null when its text is already those short words
 * (an acknowledgement's public reply, whose own row sends the DM). An acknowledgement queued
 * with its full text (the customer's post was a DM then) takes the acknowledgement's words.
 */
export async function publicXNotice(
  db: Kysely<DB>,
  n: { problem_id: string; update_id: string; text: string },
): Promise<string | null> {
  if (n.text.endsWith(DETAILS_BY_DM)) return null;
  const p = await db
    .selectFrom('problems')
    .select(['topic', 'status', 'title'])
    .where('id', '=', n.problem_id)
    .executeTakeFirst();
  const topic = p?.topic ?? null;
  const title = p?.title;
  if (n.update_id.startsWith(ACK_PREFIX))
    return publicAckText({ topic, title, status: p?.status ?? 'suspected' });
  const update = await db
    .selectFrom('problem_updates')
    .select('status')
    .where('id', '=', n.update_id)
    .executeTakeFirst();
  return publicNoticeText({ topic, title, status: update?.status ?? p?.status ?? 'suspected' });
}

/**
 * Queues the full notice as a DM following its public reply, in the transaction that records
 * the reply (so a reply sent always has its follow-up): a `problem_ack_x` row naming the
 * notification, a moment after the reply, once per notification.
 */
export async function queueXFollowUp(
  trx: Kysely<DB>,
  ws: string,
  sentAt: number,
  n: { id: string; problem_id: string; update_id: string; customer_id: string; text: string },
  /** The case the public reply went out on (the customer's post is there). */
  caseId: string,
  publicText: string,
) {
  const payload: AckXPayload = {
    problemId: n.problem_id,
    caseId,
    customerId: n.customer_id,
    updateId: n.update_id,
    publicText,
    privateText: n.text,
    dmMessageId: newId(),
    linkMessageId: newId(),
    notificationId: n.id,
  };
  await trx
    .insertInto('outbox')
    .values(
      outboxRow({
        workspaceId: ws,
        kind: ACK_X_KIND,
        key: `${ACK_X_KIND}:notice:${n.id}`,
        payload,
        now: sentAt,
        dueAt: sentAt + FOLLOW_UP_AFTER_MS,
      }),
    )
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .execute();
}
