import type { InboundMessage } from '../../ingest/inbound.schema.js';
import { idString, obj, str } from '../channel.json.js';
import { isNumericId, type ParsedDelivery, toEpochMs } from '../channel.parsed.js';

const POST_ITEMS = new Set(['status', 'post', 'photo', 'video', 'share']);

/**
 * A Page `feed` change: visitor posts, comments and replies to comments. Current payloads name
 * the author `from: {id, name}`; Graph v2.x (e.g. the 2016 captures we test with) used
 * `sender_id`/`sender_name`, sometimes as a JSON number. A comment's `parent_id` is the post, or
 * the comment it answers. developers.facebook.com/docs/graph-api/webhooks/reference/page#feed
 */
export function parseFeedChange(
  raw: unknown,
  pageId: string,
  channelId: string,
  entryTime: number | undefined,
  out: ParsedDelivery,
): void {
  const v = obj(raw);
  const item = str(v?.item);
  const verb = str(v?.verb);
  if (!v || !item || !verb) {
    out.ignored.push({ what: 'feed change', reason: 'no item or verb' });
    return;
  }
  const at = toEpochMs(v.created_time) ?? toEpochMs(entryTime);
  const commentId = str(v.comment_id);
  const postId = str(v.post_id);
  if (item !== 'comment' && !POST_ITEMS.has(item)) {
    out.ignored.push({
      what: `feed ${item} ${verb}`,
      reason: 'not a post or comment (reactions, likes…)',
    });
    return;
  }
  const id = item === 'comment' ? commentId : postId;
  if (!id || !at) {
    out.ignored.push({ what: `feed ${item} ${verb}`, reason: 'no id or time' });
    return;
  }
  if (verb === 'remove') {
    out.marks.push({ channel: 'facebook', externalId: id, kind: 'deleted', at });
    return;
  }
  if (verb !== 'add') {
    out.ignored.push({
      what: `feed ${item} ${verb}`,
      reason: 'only additions and removals change a case (an edit keeps the original as said)',
    });
    return;
  }
  const from = obj(v.from);
  const authorId = idString(from?.id) ?? idString(v.sender_id);
  const name = str(from?.name) ?? str(v.sender_name);
  if (!isNumericId(authorId)) {
    out.ignored.push({ what: `feed ${item}`, reason: 'no author id' });
    return;
  }
  const isEcho = authorId === pageId;
  if (isEcho && item !== 'comment') {
    out.ignored.push({
      what: `feed ${item}`,
      reason: 'our own Page post, not an answer to anyone',
    });
    return;
  }
  const message: InboundMessage = {
    channel: 'facebook',
    channelId,
    externalId: id,
    direction: isEcho ? 'out' : 'in',
    author: { id: authorId, ...(name ? { name } : {}) },
    text: str(v.message) ?? '',
    sentAt: new Date(at).toISOString(),
    visibility: 'public',
    raw,
  };
  const parent = str(v.parent_id);
  if (item === 'comment' && parent) message.inReplyTo = parent;
  if (postId) message.conversationId = postId;
  const photo = str(v.photo) ?? str(v.link);
  if (photo) message.attachments = [{ type: item === 'video' ? 'video' : 'link', url: photo }];
  out.messages.push({ message });
}

/** An Instagram `comments` change: a comment (or reply) on one of our media. */
export function parseInstagramComment(
  raw: unknown,
  accountId: string,
  channelId: string,
  entryTime: number | undefined,
  out: ParsedDelivery,
): void {
  const v = obj(raw);
  const id = idString(v?.id);
  const from = obj(v?.from);
  const authorId = idString(from?.id);
  const mediaId = idString(obj(v?.media)?.id);
  const at = toEpochMs(entryTime) ?? toEpochMs(v?.timestamp);
  if (!v || !id || !isNumericId(authorId) || !at) {
    out.ignored.push({ what: 'instagram comment', reason: 'no id, author or time' });
    return;
  }
  const isEcho = authorId === accountId;
  const message: InboundMessage = {
    channel: 'instagram',
    channelId,
    externalId: id,
    direction: isEcho ? 'out' : 'in',
    author: { id: authorId, ...(str(from?.username) ? { handle: str(from?.username) } : {}) },
    text: str(v.text) ?? '',
    sentAt: new Date(at).toISOString(),
    visibility: 'public',
    raw,
  };
  const parent = idString(v.parent_id) ?? mediaId;
  if (parent) message.inReplyTo = parent;
  if (mediaId) message.conversationId = mediaId;
  out.messages.push({ message });
}
