import type { InboundMessage } from '../../ingest/inbound.schema.js';
import { arr, obj, str } from '../channel.json.js';
import type { MarkError, MarkKind } from '../channel.marks.js';
import { type Attachment, type ParsedDelivery, toEpochMs, UNDATED } from '../channel.parsed.js';
import type { MetaParseContext } from './meta.parse.js';

const MEDIA = ['image', 'video', 'audio', 'document', 'sticker'] as const;
/**
 * Types that are no message to answer: a reaction to one, a system notice (the customer changed
 * number), the customer opening the chat. Every other type reaches the case, with a placeholder
 * text where the desk cannot show it (`placeholder`).
 */
const NOT_MESSAGES = new Set(['reaction', 'system', 'request_welcome']);
const STATUSES = new Set<MarkKind>(['sent', 'delivered', 'read', 'failed']);

/** WhatsApp ids are digits without '+'; we store E.164 so a phone identity matches across channels. */
export const waIdToE164 = (waId: string) => `+${waId.replace(/^\+/, '')}`;

/**
 * A WhatsApp Cloud API `messages` change value: incoming messages (with `contacts` naming the
 * sender) and statuses of what we sent.
 * developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples
 */
export function parseWhatsAppValue(raw: unknown, ctx: MetaParseContext, out: ParsedDelivery): void {
  const v = obj(raw);
  if (!v) return;
  const phoneId = str(obj(v.metadata)?.phone_number_id);
  if (ctx.whatsappPhoneNumberId && phoneId !== ctx.whatsappPhoneNumberId) {
    out.ignored.push({
      what: 'whatsapp change',
      reason: `for phone number id ${phoneId}, not this channel's`,
    });
    return;
  }
  const names = new Map<string, string>();
  for (const c of arr(v.contacts)) {
    const waId = str(obj(c)?.wa_id);
    const name = str(obj(obj(c)?.profile)?.name);
    if (waId && name) names.set(waId, name);
  }
  for (const m of arr(v.messages)) {
    const msg = obj(m);
    const from = str(msg?.from);
    const id = str(msg?.id);
    const at = toEpochMs(msg?.timestamp);
    const type = str(msg?.type);
    // Without a usable timestamp the message is still taken, dated on arrival (UNDATED).
    if (!msg || !from || !/^\+?\d{6,20}$/.test(from) || !id || !type) {
      out.ignored.push({
        what: 'whatsapp message',
        reason: 'no valid from, id or type',
      });
      continue;
    }
    let text = '';
    const attachments: Attachment[] = [];
    if (type === 'text') text = str(obj(msg.text)?.body) ?? '';
    else if ((MEDIA as readonly string[]).includes(type)) {
      const media = obj(msg[type]);
      text = str(media?.caption) ?? '';
      // Media comes as an id; its URL is fetched with the token when someone opens it.
      attachments.push({
        type,
        ...(str(media?.id) ? { mediaId: str(media?.id) } : {}),
        ...(str(media?.mime_type) ? { contentType: str(media?.mime_type) } : {}),
        ...(str(media?.filename) ? { name: str(media?.filename) } : {}),
      });
    } else if (type === 'location') {
      const l = obj(msg.location);
      const coords =
        typeof l?.latitude === 'number' && typeof l?.longitude === 'number'
          ? `${l.latitude},${l.longitude}`
          : 'no coordinates';
      // A pin without a name or address still says what it is.
      text = [str(l?.name), str(l?.address)].filter(Boolean).join(', ') || `[location: ${coords}]`;
      attachments.push({ type: 'location', latitude: l?.latitude, longitude: l?.longitude });
    } else if (type === 'button') text = str(obj(msg.button)?.text) ?? '';
    else if (type === 'interactive') {
      const i = obj(msg.interactive);
      text = str(obj(i?.button_reply)?.title) ?? str(obj(i?.list_reply)?.title) ?? '';
    } else if (NOT_MESSAGES.has(type)) {
      out.ignored.push({
        what: `whatsapp ${type}`,
        reason: 'not a message to answer (a reaction, a system notice, an opened chat)',
      });
      continue;
    }
    if (!text && attachments.length === 0 && type !== 'text') {
      // A contact card, an unsupported type, an empty reply: the customer wrote something, so it
      // reaches the case, saying what it was rather than vanishing.
      text = placeholder(type, msg);
      out.placeholders = [
        ...(out.placeholders ?? []),
        {
          what: `whatsapp ${type} ${id}`,
          reason: 'kept with a placeholder text: the desk cannot show this message type',
        },
      ];
    }
    const message: InboundMessage = {
      channel: 'whatsapp',
      channelId: ctx.channelId,
      externalId: id,
      direction: 'in',
      author: { id: waIdToE164(from), ...(names.get(from) ? { name: names.get(from) } : {}) },
      text,
      sentAt: at ? new Date(at).toISOString() : UNDATED,
      visibility: 'private',
      raw: m,
    };
    if (attachments.length) message.attachments = attachments;
    const ctxId = str(obj(msg.context)?.id);
    if (ctxId) message.inReplyTo = ctxId;
    out.messages.push({ message });
  }
  for (const s of arr(v.statuses)) {
    const st = obj(s);
    const id = str(st?.id);
    const kind = str(st?.status) as MarkKind | undefined;
    const at = toEpochMs(st?.timestamp);
    if (!id || !kind || !at || !STATUSES.has(kind)) {
      out.ignored.push({ what: 'whatsapp status', reason: `status ${kind ?? '?'} not tracked` });
      continue;
    }
    const error = kind === 'failed' ? statusError(st!) : undefined;
    out.marks.push({ channel: 'whatsapp', externalId: id, kind, at, ...(error ? { error } : {}) });
  }
}

/**
 * What stands for a message the desk cannot show: a contact card's names and numbers (the
 * customer shared them to be read), else its type and WhatsApp's reason, if it gave one.
 * developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components (messages object)
 */
function placeholder(type: string, msg: Record<string, unknown>): string {
  if (type === 'contacts') {
    const cards = arr(msg.contacts).map((c) => {
      const card = obj(c);
      const name = str(obj(card?.name)?.formatted_name) ?? str(obj(card?.name)?.first_name);
      const phones = arr(card?.phones).map((p) => str(obj(p)?.phone));
      const emails = arr(card?.emails).map((e) => str(obj(e)?.email));
      return [name, ...phones, ...emails].filter(Boolean).join(', ');
    });
    return `[contact card: ${cards.filter(Boolean).join('; ') || 'empty'}]`;
  }
  const why = str(obj(arr(msg.errors)[0])?.title);
  return `[a WhatsApp ${type} message the desk cannot show${why ? ` (WhatsApp: ${why})` : ''}: open WhatsApp to see it]`;
}

/**
 * A `failed` status's first error (`errors: [{code, title, message, error_data: {details}}]`),
 * for the agent: e.g. 131047 re-engagement (the 24-hour window closed), 132000 a template's
 * parameter count. developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes
 */
function statusError(st: Record<string, unknown>): MarkError | undefined {
  const e = obj(arr(st.errors)[0]);
  if (!e) return undefined;
  const code =
    typeof e.code === 'number' || typeof e.code === 'string' ? String(e.code) : undefined;
  const title = str(e.title) ?? str(e.message);
  const details = str(obj(e.error_data)?.details);
  const what = [title, details && details !== title ? details : undefined]
    .filter(Boolean)
    .join(': ');
  return {
    ...(code ? { code } : {}),
    reason: `WhatsApp${code ? ` error ${code}` : ''}: ${what || 'no reason given'}`.slice(0, 1000),
  };
}
