import type { InboundMessage } from '../../ingest/inbound.schema.js';
import { arr, idString, obj, str } from '../channel.json.js';
import { type Attachment, isNumericId, type ParsedDelivery, toEpochMs } from '../channel.parsed.js';

/**
 * One Messenger or Instagram `messaging` event: message (text, attachments, echo), postback,
 * referral, delivery or read receipt. developers.facebook.com/docs/messenger-platform/webhooks
 */
export function parseMessagingEvent(
  raw: unknown,
  channel: 'facebook' | 'instagram',
  ownId: string,
  channelId: string,
  out: ParsedDelivery,
): void {
  const ev = obj(raw);
  if (!ev) return;
  const sender = idString(obj(ev.sender)?.id);
  const recipient = idString(obj(ev.recipient)?.id);
  const at = toEpochMs(ev.timestamp);
  const message = obj(ev.message);
  // Echoes are sent by us to the customer; a few test fixtures swap the two ids, so the customer
  // is whichever party is not our page.
  const isEcho = message?.is_echo === true;
  const customer = isEcho ? (recipient === ownId ? sender : recipient) : sender;
  if (!isNumericId(customer)) {
    out.ignored.push({
      what: `${channel} event`,
      reason: 'the person id is not a numeric scoped id',
    });
    return;
  }
  if (!isEcho && recipient !== ownId && sender !== ownId) {
    out.ignored.push({
      what: `${channel} event`,
      reason: `addressed to ${recipient}, not our account`,
    });
    return;
  }
  if (!at) {
    out.ignored.push({ what: `${channel} event`, reason: 'no valid timestamp' });
    return;
  }
  const base = (externalId: string, text: string): InboundMessage => ({
    channel,
    channelId,
    externalId,
    direction: isEcho ? 'out' : 'in',
    author: { id: isEcho ? ownId : customer },
    text,
    sentAt: new Date(at).toISOString(),
    visibility: 'private',
    raw,
  });

  if (message) {
    const mid = str(message.mid);
    if (!mid) {
      out.ignored.push({ what: `${channel} message`, reason: 'no mid' });
      return;
    }
    if (message.is_deleted === true) {
      out.marks.push({ channel, externalId: mid, kind: 'deleted', at });
      return;
    }
    const attachments = parseAttachments(message.attachments);
    const text = str(message.text) ?? '';
    if (!text && attachments.length === 0 && !isEcho) {
      out.ignored.push({ what: `${channel} message`, reason: 'neither text nor attachments' });
      return;
    }
    const m = base(mid, text);
    if (attachments.length) m.attachments = attachments;
    const replyTo = str(obj(message.reply_to)?.mid);
    if (replyTo) m.inReplyTo = replyTo;
    out.messages.push({ message: m, ...(isEcho ? { counterpart: customer } : {}) });
    return;
  }
  const edit = obj(ev.message_edit);
  if (edit) {
    // `message_edits` webhook field: the customer changed a message's text (same mid).
    const mid = str(edit.mid);
    const text = str(edit.text);
    if (!mid || text === undefined || sender === ownId) {
      out.ignored.push({
        what: `${channel} message edit`,
        reason: sender === ownId ? 'an edit of our own message' : 'no mid or text',
      });
      return;
    }
    const n = typeof edit.num_edit === 'number' ? edit.num_edit : at;
    out.edits.push({
      edit: { channel, key: `${mid}#${n}`, priorIds: [mid], text, at },
      asMessage: { message: base(mid, text) },
    });
    return;
  }
  const postback = obj(ev.postback);
  if (postback) {
    // A tap on a button says what the button says; newer postbacks carry a mid, older ones do not.
    const id = str(postback.mid) ?? `postback:${customer}:${at}`;
    const text = str(postback.title) ?? str(postback.payload) ?? '';
    out.messages.push({ message: base(id, text) });
    return;
  }
  const referral = obj(ev.referral);
  if (referral) {
    const source = str(referral.source) ?? 'a link';
    const ref = str(referral.ref);
    const text = `(opened the conversation from ${source.toLowerCase()}${ref ? `, ref ${ref}` : ''})`;
    out.messages.push({ message: base(`referral:${customer}:${at}`, text) });
    return;
  }
  const delivery = obj(ev.delivery);
  if (delivery) {
    for (const m of arr(delivery.mids)) {
      if (typeof m === 'string') out.marks.push({ channel, externalId: m, kind: 'delivered', at });
    }
    const wm = toEpochMs(delivery.watermark);
    if (wm)
      out.watermarks.push({ channel, customerAddress: customer, kind: 'delivered', watermark: wm });
    return;
  }
  const read = obj(ev.read);
  if (read) {
    const wm = toEpochMs(read.watermark);
    if (wm)
      out.watermarks.push({ channel, customerAddress: customer, kind: 'read', watermark: wm });
    const mid = str(read.mid); // Instagram read receipts name the message
    if (mid) out.marks.push({ channel, externalId: mid, kind: 'read', at });
    return;
  }
  if (ev.optin) {
    out.ignored.push({ what: `${channel} opt-in`, reason: 'an opt-in is consent, not a message' });
    return;
  }
  const known = Object.keys(ev).filter((k) => !['sender', 'recipient', 'timestamp'].includes(k));
  out.ignored.push({
    what: `${channel} event`,
    reason: known.length ? `event type ${known.join(', ')} not handled` : 'event carries nothing',
  });
}

function parseAttachments(v: unknown): Attachment[] {
  const out: Attachment[] = [];
  for (const a of arr(v)) {
    const o = obj(a);
    const type = str(o?.type);
    if (!type) continue;
    const p = obj(o?.payload);
    const att: Attachment = { type };
    const url = str(p?.url);
    if (url) att.url = url.slice(0, 4000);
    const title = str(p?.title) ?? str(o?.title);
    if (title) att.name = title.slice(0, 1000);
    const coords = obj(p?.coordinates);
    if (type === 'location' && coords) {
      att.latitude = coords.lat;
      att.longitude = coords.long;
    }
    if (p?.sticker_id !== undefined) att.stickerId = idString(p.sticker_id);
    out.push(att);
  }
  return out;
}
