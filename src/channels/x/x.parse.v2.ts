import { decodeHtmlEntities } from '../../import/twcs.js';
import { followerCount, type InboundMessage } from '../../ingest/inbound.schema.js';
import { arr, idString, obj, str } from '../channel.json.js';
import { isNumericId, type ParsedMessage } from '../channel.parsed.js';

/** X epoch of snowflake ids (developer.x.com "Twitter IDs"): ms = (id >> 22) + 1288834974657. */
export function snowflakeTime(id: string): number {
  return Number((BigInt(id) >> 22n) + 1288834974657n);
}

export interface XV2Context {
  channelId: string;
  accountId?: string;
  handle?: string;
  /** From listening (search) rather than our mentions. */
  listening?: boolean;
}

/** A v2 Post (polling, search) with the page's `includes.users` → a message. */
export function tweetV2ToMessage(
  raw: unknown,
  includes: Record<string, unknown>,
  ctx: XV2Context,
): ParsedMessage | { reason: string } {
  const t = obj(raw);
  const id = idString(t?.id);
  if (!t || !isNumericId(id)) return { reason: 'no valid id' };
  const refs = arr(t.referenced_tweets).map((r) => obj(r) ?? {});
  if (refs.some((r) => r.type === 'retweeted')) return { reason: 'retweet (no words of its own)' };
  const authorId = idString(t.author_id);
  if (!isNumericId(authorId)) return { reason: 'no author_id (request expansions=author_id)' };
  const user = arr(includes.users)
    .map((u) => obj(u) ?? {})
    .find((u) => idString(u.id) === authorId);
  // created_at is only sent when asked for; the snowflake id carries the same instant.
  const created = Date.parse(str(t.created_at) ?? '');
  const sentAt = Number.isFinite(created) ? created : snowflakeTime(id);
  const text = str(obj(t.note_tweet)?.text) ?? str(t.text) ?? '';
  const isEcho = !!ctx.accountId && authorId === ctx.accountId;
  const repliedTo = idString(refs.find((r) => r.type === 'replied_to')?.id);
  const followers = followerCount(obj(user?.public_metrics)?.followers_count);
  const mentionsUs =
    !!ctx.handle &&
    arr(obj(t.entities)?.mentions).some(
      (m) => str(obj(m)?.username)?.toLowerCase() === ctx.handle!.toLowerCase(),
    );
  const message = xPostMessage(ctx.channelId, raw, {
    id,
    authorId,
    isEcho,
    user,
    handle: str(user?.username),
    followers,
    text,
    sentAt: new Date(sentAt).toISOString(),
  });
  if (isNumericId(repliedTo)) message.inReplyTo = repliedTo;
  const conv = idString(t.conversation_id);
  if (isNumericId(conv)) message.conversationId = conv;
  // A listening hit that addresses us, or answers us, is an ordinary mention.
  const addressedToUs =
    mentionsUs || (!!ctx.accountId && idString(t.in_reply_to_user_id) === ctx.accountId);
  if (ctx.listening && !addressedToUs && !isEcho) message.unsolicited = true;
  const editOf = isEcho ? undefined : xEditOf(id, t.edit_history_tweet_ids);
  return xPostResult(message, isEcho, idString(t.in_reply_to_user_id), editOf);
}

/**
 * The ids of the versions before this one, when the post is an edit: v1.1 `edit_history`
 * (`initial_tweet_id`, `edit_tweet_ids`) or v2 `edit_history_tweet_ids`, oldest first and ending
 * with the post itself (developer.x.com, "Edit Posts"). Undefined for a first version.
 */
export function xEditOf(id: string, history: unknown, initial?: unknown): string[] | undefined {
  const ids = arr(history)
    .map((v) => idString(v))
    .filter(isNumericId);
  const first = idString(initial) ?? ids[0];
  if (!isNumericId(first) || first === id) return undefined;
  const at = ids.indexOf(id);
  const before = at >= 0 ? ids.slice(0, at) : ids.filter((v) => v !== id);
  return [...new Set([first, ...before])];
}

/** A public post once its v1.1 or v2 fields are read (the two name them differently). */
export interface XPostFields {
  id: string;
  authorId: string;
  isEcho: boolean;
  /** The author's user object: its name, location and verified mark read the same in both. */
  user: Record<string, unknown> | undefined;
  handle: string | undefined;
  followers: number | undefined;
  text: string;
  sentAt: string;
}

/** The message of a public post: v1.1 webhooks and v2 polling store one post the same way. */
export function xPostMessage(channelId: string, raw: unknown, p: XPostFields): InboundMessage {
  return {
    channel: 'x',
    channelId,
    externalId: p.id,
    direction: p.isEcho ? 'out' : 'in',
    author: {
      id: p.authorId,
      ...(p.handle ? { handle: p.handle } : {}),
      ...(str(p.user?.name) ? { name: str(p.user?.name) } : {}),
      ...(p.followers !== undefined ? { followers: p.followers } : {}),
      ...(str(p.user?.location) ? { location: str(p.user?.location)!.slice(0, 500) } : {}),
      ...(p.user?.verified === true ? { verified: true } : {}),
    },
    // X HTML-escapes &, < and > in text (developer.x.com, Tweet object "text").
    text: decodeHtmlEntities(p.text),
    sentAt: p.sentAt,
    visibility: 'public',
    raw,
  };
}

/** A parsed post: our echo names the person it answered; a customer's edit, what it replaces. */
export function xPostResult(
  message: InboundMessage,
  isEcho: boolean,
  counterpart: string | undefined,
  editOf: string[] | undefined,
): ParsedMessage {
  return {
    message,
    ...(isEcho && counterpart ? { counterpart } : {}),
    ...(editOf ? { editOf } : {}),
  };
}
