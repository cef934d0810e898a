import { decodeHtmlEntities } from '../../import/twcs.js';
import { followerCount, type InboundMessage } from '../../ingest/inbound.schema.js';
import { arr, idString, obj, str } from '../channel.json.js';
import {
  type Attachment,
  emptyDelivery,
  isNumericId,
  type ParsedDelivery,
  type ParsedMessage,
  toEpochMs,
  UNDATED,
} from '../channel.parsed.js';
import { xEditOf, xPostMessage, xPostResult } from './x.parse.v2.js';

/** What the parser needs to know about the channel. */
export interface XParseContext {
  channelId: string;
  /** Our account id; tweets and DMs from it are echoes (direction `out`). */
  accountId?: string;
}

/**
 * Account Activity webhook body → messages and marks. The body must have been parsed with
 * `parseJsonExact`: v1.1 objects carry `id` as a JSON number that overflows JavaScript, so only
 * `id_str` (or a string id) is ever read. developer.x.com/en/docs/x-api/enterprise/account-activity-api/guides/account-activity-data-objects
 */
export function parseXWebhook(body: unknown, ctx: XParseContext): ParsedDelivery {
  const out = emptyDelivery();
  const root = obj(body);
  if (!root) {
    out.ignored.push({ what: 'body', reason: 'not a JSON object' });
    return out;
  }
  const forUser = idString(root.for_user_id);
  if (forUser && ctx.accountId && forUser !== ctx.accountId) {
    out.ignored.push({
      what: 'body',
      reason: `for_user_id ${forUser} is not this channel's account`,
    });
    return out;
  }
  const account = ctx.accountId ?? forUser;
  const users = obj(root.users) ?? {};
  for (const [key, value] of Object.entries(root)) {
    switch (key) {
      case 'for_user_id':
      case 'users':
      case 'user_has_blocked':
        break;
      case 'tweet_create_events':
        for (const t of arr(value)) {
          const r = tweetV1ToMessage(t, { ...ctx, accountId: account });
          if ('reason' in r) out.ignored.push({ what: 'tweet', reason: r.reason });
          else pushTweet(out, r);
        }
        break;
      case 'direct_message_events':
        for (const e of arr(value)) {
          const r = dmEventToMessage(e, users, { ...ctx, accountId: account });
          if ('reason' in r) out.ignored.push({ what: 'direct message', reason: r.reason });
          else out.messages.push(r);
        }
        break;
      case 'tweet_delete_events':
        for (const d of arr(value)) {
          const status = obj(obj(d)?.status);
          const id = idString(status?.id_str) ?? idString(status?.id);
          const at = toEpochMs(obj(d)?.timestamp_ms);
          if (!isNumericId(id) || !at) {
            out.ignored.push({ what: 'tweet deletion', reason: 'no valid status id or time' });
            continue;
          }
          out.marks.push({ channel: 'x', externalId: id, kind: 'deleted', at });
        }
        break;
      case 'direct_message_mark_read_events':
        // The customer read the conversation up to this event id (channel.marks.ts marks our
        // earlier DMs to them read too). X also tells us when our own account read theirs.
        for (const e of arr(value)) {
          const id = idString(obj(e)?.last_read_event_id);
          const at = toEpochMs(obj(e)?.created_timestamp);
          const reader = idString(obj(e)?.sender_id);
          if (reader && account && reader === account)
            out.ignored.push({ what: 'read receipt', reason: 'our own account read the DMs' });
          else if (isNumericId(id) && at)
            out.marks.push({ channel: 'x', externalId: id, kind: 'read', at });
        }
        break;
      default:
        // favorite, follow, block, mute, typing indicators, revokes…: not messages.
        out.ignored.push({ what: key, reason: 'event type carries no message' });
    }
  }
  return out;
}

type Result = ParsedMessage | { reason: string };

/** A post, or the edit of an earlier one (channel.edits.ts), into the delivery. */
export function pushTweet(out: ParsedDelivery, p: ParsedMessage): void {
  if (!p.editOf) {
    out.messages.push(p);
    return;
  }
  const m = p.message;
  out.edits.push({
    edit: {
      channel: 'x',
      key: m.externalId,
      priorIds: p.editOf,
      newExternalId: m.externalId,
      text: m.text,
      at: Date.parse(m.sentAt),
    },
    asMessage: p,
  });
}

function v1Attachments(t: Record<string, unknown>): Attachment[] {
  const ext = obj(t.extended_tweet);
  const media = arr(obj(ext?.extended_entities)?.media ?? obj(t.extended_entities)?.media);
  const out: Attachment[] = [];
  for (const m of media) {
    const o = obj(m);
    const url = str(o?.media_url_https) ?? str(o?.media_url);
    if (url) out.push({ type: str(o?.type) ?? 'media', url });
  }
  return out;
}

/** A v1.1 Tweet object (Account Activity `tweet_create_events`). */
export function tweetV1ToMessage(raw: unknown, ctx: XParseContext): Result {
  const t = obj(raw);
  if (!t) return { reason: 'not an object' };
  const id = idString(t.id_str) ?? (typeof t.id === 'string' ? t.id : undefined);
  if (!isNumericId(id)) return { reason: 'no valid id_str' };
  if (t.retweeted_status) return { reason: 'retweet (no words of its own)' };
  const user = obj(t.user);
  const authorId = idString(user?.id_str) ?? (typeof user?.id === 'string' ? user.id : undefined);
  if (!isNumericId(authorId)) return { reason: 'no valid user.id_str' };
  // Without a usable time the tweet is still taken, dated on arrival (UNDATED).
  const sentAt = toEpochMs(t.timestamp_ms) ?? Date.parse(str(t.created_at) ?? '');
  const ext = obj(t.extended_tweet);
  const text = str(ext?.full_text) ?? str(t.full_text) ?? str(t.text) ?? '';
  const isEcho = !!ctx.accountId && authorId === ctx.accountId;
  const inReplyTo = idString(t.in_reply_to_status_id_str);
  const followers = followerCount(user?.followers_count);
  const message = xPostMessage(ctx.channelId, raw, {
    id,
    authorId,
    isEcho,
    user,
    handle: str(user?.screen_name),
    followers,
    text,
    sentAt:
      sentAt !== undefined && Number.isFinite(sentAt) ? new Date(sentAt).toISOString() : UNDATED,
  });
  if (isNumericId(inReplyTo)) message.inReplyTo = inReplyTo;
  const attachments = v1Attachments(t);
  if (attachments.length) message.attachments = attachments;
  const history = obj(t.edit_history);
  const editOf = isEcho
    ? undefined
    : xEditOf(id, history?.edit_tweet_ids, history?.initial_tweet_id);
  return xPostResult(message, isEcho, idString(t.in_reply_to_user_id_str), editOf);
}

/** A v1.1 direct message event (`message_create`) with the delivery's `users` map. */
export function dmEventToMessage(
  raw: unknown,
  users: Record<string, unknown>,
  ctx: XParseContext,
): Result {
  const e = obj(raw);
  if (!e) return { reason: 'not an object' };
  if (e.type !== 'message_create')
    return { reason: `event type ${String(e.type)} is not a message` };
  const id = idString(e.id);
  if (!isNumericId(id)) return { reason: 'no valid event id' };
  const mc = obj(e.message_create);
  const sender = idString(mc?.sender_id);
  const recipient = idString(obj(mc?.target)?.recipient_id);
  if (!isNumericId(sender) || !isNumericId(recipient)) {
    return { reason: 'sender or recipient id is not a numeric X user id' };
  }
  // Without a usable time the DM is still taken, dated on arrival (UNDATED).
  const sentAt = toEpochMs(e.created_timestamp);
  const data = obj(mc?.message_data);
  const isEcho = !!ctx.accountId && sender === ctx.accountId;
  // Neither from nor to our account: another account's conversation (a misrouted or replayed
  // delivery without for_user_id) must not open a case, as the Meta parser refuses it too.
  if (ctx.accountId && !isEcho && recipient !== ctx.accountId) {
    return { reason: `addressed to ${recipient}, not our account` };
  }
  const u = obj(users[sender]);
  const message: InboundMessage = {
    channel: 'x',
    channelId: ctx.channelId,
    externalId: id,
    direction: isEcho ? 'out' : 'in',
    author: {
      id: sender,
      ...(str(u?.screen_name) ? { handle: str(u?.screen_name) } : {}),
      ...(str(u?.name) ? { name: str(u?.name) } : {}),
    },
    text: decodeHtmlEntities(str(data?.text) ?? ''),
    sentAt:
      sentAt !== undefined && Number.isFinite(sentAt) ? new Date(sentAt).toISOString() : UNDATED,
    visibility: 'private',
    raw,
  };
  const media = obj(obj(data?.attachment)?.media);
  const url = str(media?.media_url_https) ?? str(media?.media_url);
  if (url) message.attachments = [{ type: str(media?.type) ?? 'media', url }];
  return { message, ...(isEcho ? { counterpart: recipient } : {}) };
}
