import type { MarkError, MarkKind } from '../channel.marks.js';
import { emptyDelivery, type ParsedDelivery } from '../channel.parsed.js';
import { twilioCodeMeaning } from './sms.errors.js';

/** Twilio MessageStatus values that move our sent message forward; the rest are interim. */
const STATUS_MARKS: Record<string, MarkKind> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  failed: 'failed',
  undelivered: 'failed',
};

/**
 * Reads a Twilio Messaging webhook's form parameters. A received SMS/MMS (`SmsStatus=received`,
 * or a `Body`/media from a `From`) becomes an inbound message on channel `sms`; senders that are
 * not phone numbers (`whatsapp:+…` over Twilio) are ignored, WhatsApp comes through the Meta
 * channel. A status callback (`MessageStatus`) becomes a mark on the message we sent (21610: the
 * customer replied STOP). Twilio's webhook carries no send time: the message is dated on receipt.
 */
export function parseSmsWebhook(
  params: URLSearchParams,
  ctx: { channelId: string; now: number },
): ParsedDelivery {
  const out = emptyDelivery();
  const sid = params.get('MessageSid') ?? params.get('SmsMessageSid') ?? params.get('SmsSid');
  if (!sid) {
    out.ignored.push({ what: 'webhook', reason: 'no MessageSid' });
    return out;
  }
  const messageStatus = params.get('MessageStatus');
  const from = params.get('From') ?? '';
  const media = Number(params.get('NumMedia') ?? '0') || 0;
  const received =
    params.get('SmsStatus') === 'received' ||
    (!messageStatus && !!from && (params.has('Body') || media > 0));
  if (!received) {
    const kind = messageStatus ? STATUS_MARKS[messageStatus] : undefined;
    if (kind) {
      const error = kind === 'failed' ? failure(params, messageStatus!) : undefined;
      out.marks.push({
        channel: 'sms',
        externalId: sid,
        kind,
        at: ctx.now,
        ...(error ? { error } : {}),
      });
    } else
      out.ignored.push({ what: sid, reason: `status ${messageStatus ?? 'missing'} not tracked` });
    return out;
  }
  if (!/^\+?\d{3,15}$/.test(from)) {
    out.ignored.push({ what: sid, reason: `sender ${from || '(none)'} is not a phone number` });
    return out;
  }
  const attachments: { type: string; url: string; contentType?: string }[] = [];
  for (let i = 0; i < Math.min(media, 10); i++) {
    const url = params.get(`MediaUrl${i}`);
    const contentType = params.get(`MediaContentType${i}`);
    if (url) attachments.push({ type: 'media', url, ...(contentType ? { contentType } : {}) });
  }
  // "CITY, ST 01022" as the other channels give it, for the area of an outage.
  const region = [params.get('FromState'), params.get('FromZip')].filter((v) => v).join(' ');
  const location = [params.get('FromCity'), region].filter((v) => v).join(', ');
  out.messages.push({
    message: {
      channel: 'sms',
      channelId: ctx.channelId,
      externalId: sid,
      author: { id: from, ...(location ? { location } : {}) },
      text: params.get('Body') ?? '',
      sentAt: new Date(ctx.now).toISOString(),
      visibility: 'private',
      ...(attachments.length ? { attachments } : {}),
      raw: Object.fromEntries(params),
    },
  });
  return out;
}

/**
 * Why Twilio failed a message, for the agent: its `ErrorCode` (21610 the customer replied STOP,
 * 30003 unreachable…) and `ErrorMessage` when it sends one.
 */
function failure(params: URLSearchParams, status: string): MarkError {
  const code = params.get('ErrorCode') || undefined;
  const said = params.get('ErrorMessage') || undefined;
  const meaning = code ? twilioCodeMeaning(Number(code)) : undefined;
  const why = [meaning, said].filter(Boolean).join('; ') || 'no reason given';
  return {
    ...(code ? { code } : {}),
    reason: `Twilio ${status}${code ? ` (error ${code})` : ''}: ${why}`.slice(0, 1000),
  };
}
