/** Agent replies: an outbound message and its outbox delivery, in one transaction with the case. */
import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import { RuleError } from '../channels/connector-error.js';
import { refuseNoSender } from '../channels/no-sender.js';
import type { OutboundMessage, Sender } from '../channels/sender.js';
import { erasedRefusal, refuseErasedCase } from '../customers/erased.js';
import { caseWriteTransaction } from '../platform/db/case-writes-lock.js';
import type { DB } from '../platform/db/schema.js';
import { AppError } from '../platform/errors.js';
import type { Actor } from '../platform/http/auth.js';
import { newId } from '../platform/ids.js';
import { outboxRow } from '../platform/outbox/outbox.row.js';
import { ERASED } from '../privacy/scrub.js';
import { keepPromisesOnReply } from '../promises/promise.service.js';
import { applySla } from '../sla/sla.store.js';
import { toMessageDto } from './case.dto.js';
import { slaEvent } from './case.sla.js';
import { caseEvent, checkVersion, claimVersion, loadCase } from './case.store.js';
import { refuseRepeatedPii } from './reply-pii.js';

export interface ReplyInput {
  text: string;
  visibility?: 'public' | 'private';
  expectedVersion?: number;
  /** The newest message id the agent has seen; a refused reply lists the ones after it. */
  seenMessageId?: string;
  /** Reply on another channel (after a handoff); default the case's channel. */
  channel?: string;
  /** Address on that channel; default the customer's identity there. */
  to?: string;
  /**
   * Written by the system (the CSAT survey), not a person: rules for human replies (Meta's
   * HUMAN_AGENT tag) do not apply to it (`OutboundMessage.automated`).
   */
  automated?: boolean;
  /**
   * The message as the desk keeps and shows it, when the customer's copy (`text`, what is sent)
   * holds what only they may see: the survey link, whose token answers the survey.
   */
  deskText?: string;
}

/**
 * Writes an agent reply as an outbound message and queues its delivery in the outbox, in one
 * transaction with the case change; the outbox worker sends it after commit.
 */
export async function replyToCase(
  db: Kysely<DB>,
  actor: Actor,
  caseId: string,
  input: ReplyInput,
  now: number,
  check?: ReplyCheck,
) {
  return caseWriteTransaction(db, (trx) => replyInTrx(trx, actor, caseId, input, now, check));
}

/**
 * The channel's rules asked of a reply before it is queued (`Sender.check`), through the reply's
 * transaction: a `RuleError` it throws becomes the 422 the agent gets, and nothing is stored.
 */
export type ReplyCheck = (trx: Kysely<DB>, msg: OutboundMessage) => Promise<void>;

/**
 * The channels' rules (`Sender.check`) as a `ReplyCheck` at `now`; none without senders. A kind
 * with no sender at all, or none of whose channel records is set up (`Sender.configured`), is
 * refused here too (`not_configured`): the outbox could only fail it.
 */
export function sendersCheck(
  senders: ReadonlyMap<string, Sender> | undefined,
  now: number,
): ReplyCheck | undefined {
  if (!senders) return undefined;
  return async (trx, msg) => {
    const sender = senders.get(msg.channel);
    // No channel record to send from (no mailbox, no number) is the same as no sender: the
    // outbox could only fail it, and a macro's other actions must not go through meanwhile.
    if (!sender || (sender.configured && !(await sender.configured(trx, msg))))
      await refuseNoSender(trx, msg);
    await sender?.check?.(trx, msg, now);
  };
}

/**
 * The visibility a reply on the case's channel takes when it names none (`replyInTrx`): that of
 * the customer's newest message there, private when there is none. A macro renders its reply for
 * it before sending, and then sends it with this visibility named, so the two cannot differ.
 */
export async function defaultReplyVisibility(
  trx: Kysely<DB>,
  c: { id: string; channel: string },
): Promise<'public' | 'private'> {
  const newest = await trx
    .selectFrom('messages')
    .select('visibility')
    .where('case_id', '=', c.id)
    .where('direction', '=', 'in')
    .where('channel', '=', c.channel)
    .orderBy('sent_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return newest?.visibility === 'public' ? 'public' : 'private';
}

/** `replyToCase` inside the caller's transaction (macros, handoff, surveys). */
export async function replyInTrx(
  trx: Kysely<DB>,
  actor: Actor,
  caseId: string,
  input: ReplyInput,
  now: number,
  check?: ReplyCheck,
) {
  const text = input.text.trim();
  if (!text) throw new AppError('bad_request', 'reply text is empty');
  {
    const seen = await loadCase(trx, actor.workspaceId, caseId);
    // Before the version: an erased case is refused whatever view the agent had of it.
    await refuseErasedCase(trx, seen);
    await checkVersion(trx, seen, input.expectedVersion, input.seenMessageId);
    // The check above answers a stale view at once; this one makes it hold against a
    // concurrent change (two agents replying on one view), and the reply is then written on
    // the case as it is now.
    await claimVersion(trx, seen, input.expectedVersion, {}, input.seenMessageId);
    const c = await loadCase(trx, actor.workspaceId, caseId);
    const channel = input.channel ?? c.channel;
    // Only the case customer's own messages: on a public thread other people's comments join
    // the case too, and a reply (above all a private one) must never go to one of them.
    const inbound = () =>
      trx
        .selectFrom('messages')
        .select(['external_id', 'author_address', 'visibility', 'channel_id'])
        .where('case_id', '=', c.id)
        .where('customer_id', '=', c.customer_id)
        .where('direction', '=', 'in')
        .where('channel', '=', channel)
        .orderBy('sent_at', 'desc')
        .limit(1);
    const newest = await inbound().executeTakeFirst();
    let last = newest && !input.to ? await answered(inbound, newest, input.visibility) : undefined;
    if (!last) {
      // A channel the customer has not written on in this case (after a handoff): send to
      // their identity there, starting a new conversation.
      const ident = input.to
        ? { address: input.to }
        : await trx
            .selectFrom('identities')
            .select('address')
            .where('customer_id', '=', c.customer_id)
            .where('channel', '=', channel)
            .orderBy('created_at', 'desc')
            .executeTakeFirst();
      if (!ident) {
        throw new AppError('invalid_transition', `the customer has no address on ${channel}`);
      }
      last = {
        external_id: null as unknown as string,
        author_address: ident.address,
        visibility: 'private',
        channel_id: newest?.channel_id ?? null,
      };
    }
    // The message it would answer was erased (one a merged-away customer brought here): its
    // address is the placeholder, which no channel must be asked to reach.
    if (last.author_address === ERASED) throw erasedRefusal();
    const visibility = input.visibility ?? last.visibility;
    if (visibility === 'public') await refuseRepeatedPii(trx, c.id, c.customer_id, text);
    const messageId = newId();
    const outbound: OutboundMessage = {
      messageId,
      caseId: c.id,
      channel,
      channelId: last.channel_id,
      to: last.author_address,
      inReplyTo: last.external_id,
      visibility,
      text,
      ...(input.automated ? { automated: true } : {}),
    };
    // Before anything is written: a reply the channel can certainly not carry is answered at
    // once, not shown queued and then failed by the outbox (which still checks at send time).
    if (check) await refuseByRule(() => check(trx, outbound), channel);
    await trx
      .insertInto('messages')
      .values({
        id: messageId,
        workspace_id: actor.workspaceId,
        case_id: c.id,
        customer_id: c.customer_id,
        channel,
        channel_id: last.channel_id,
        external_id: `tl-${messageId}`,
        direction: 'out',
        visibility,
        author_address: actor.type === 'user' ? `user:${actor.id}` : `token:${actor.id}`,
        author_name: actor.name,
        text: input.deskText?.trim() || text,
        sent_at: now,
        received_at: now,
        in_reply_to: last.external_id,
        conversation_id: null,
        language: null,
        attachments_json: '[]',
        triage_json: null,
        raw_json: null,
        status: 'queued',
        user_id: actor.type === 'user' ? actor.id : null,
        deleted_at: null,
        unsolicited: 0,
      })
      .execute();
    await trx
      .insertInto('outbox')
      .values(
        outboxRow({
          workspaceId: actor.workspaceId,
          kind: 'send_message',
          key: `send_message:${messageId}`,
          payload: outbound,
          now,
        }),
      )
      .execute();
    // An automated message (the CSAT survey) answers nobody: it is no first response, meets no
    // response clock and does not open a new case, so response times measure people.
    const answers = !input.automated;
    await trx
      .updateTable('cases')
      .set({
        status: c.status === 'new' && answers ? 'open' : c.status,
        first_response_at: answers ? (c.first_response_at ?? now) : c.first_response_at,
        last_message_at: Math.max(c.last_message_at, now),
        message_count: sql<number>`message_count + 1`,
        updated_at: now,
      })
      .where('id', '=', c.id)
      .execute();
    await caseEvent(
      trx,
      actor.workspaceId,
      c.id,
      actor,
      'replied',
      { messageId, visibility, channel },
      now,
    );
    if (answers) await applySla(trx, actor.workspaceId, [slaEvent(c, 'agent_replied', now)], now);
    // Only a message someone wrote keeps a promise: a survey sent on resolve says nothing of
    // the follow-up an agent promised.
    if (answers) await keepPromisesOnReply(trx, actor, c.id, channel, now);
    const msg = await trx
      .selectFrom('messages')
      .selectAll()
      .where('id', '=', messageId)
      .executeTakeFirstOrThrow();
    return toMessageDto(msg);
  }
}

/** A channel rule's refusal as the API answers it: 422 with the refusal as `code`. */
async function refuseByRule(check: () => Promise<void>, channel: string): Promise<void> {
  try {
    await check();
  } catch (err) {
    if (!(err instanceof RuleError)) throw err;
    throw new AppError(err.refusal, err.message, { rule: err.rule, channel, kind: err.kind });
  }
}

type Inbound = {
  external_id: string;
  author_address: string;
  visibility: 'public' | 'private';
  channel_id: string | null;
};
type InboundQuery = () => SelectQueryBuilder<DB, 'messages', Inbound>;

/**
 * The case customer's message a reply answers (`inbound` holds only theirs: a bystander's
 * comment in the thread is never a reply target). A public reply answers their latest public message
 * that still stands (on X the reply joins that tweet's conversation; on Facebook and Instagram
 * it is a reply to that comment): never a DM, whose id X or Meta would take as something else
 * (a DM event id as `in_reply_to_tweet_id`; a Messenger message sent where a comment reply was
 * asked for), and never a deleted post. No such message is a 422: sending something else than
 * what the agent chose would be worse. A private reply answers their latest private message,
 * else (a case of public posts only) their latest standing post, which the channel answers
 * privately (an X DM to its author, a Meta private reply to the comment). Without a stated
 * visibility the reply takes that of the customer's latest message.
 */
async function answered(
  inbound: InboundQuery,
  newest: Inbound,
  wanted: 'public' | 'private' | undefined,
): Promise<Inbound> {
  const visibility = wanted ?? newest.visibility;
  const standing = () =>
    inbound().where('visibility', '=', 'public').where('deleted_at', 'is', null);
  if (visibility === 'public') {
    const post = await standing().executeTakeFirst();
    if (post) return post;
    throw new AppError(
      'invalid_transition',
      'the customer has no public message in this case that a public reply could answer (only private messages, or their posts were deleted): reply privately',
    );
  }
  return (
    (await inbound().where('visibility', '=', 'private').executeTakeFirst()) ??
    (await standing().executeTakeFirst()) ??
    newest
  );
}
