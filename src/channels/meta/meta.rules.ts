/**
 * Which Graph API a Meta reply goes through, and the rules that refuse it before any call: the
 * length each API takes and the messaging window (window/window.ts). One function for the sender,
 * at send time, and for its `check`, before an agent's reply is queued, so the two cannot differ.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../../platform/db/schema.js';
import type { MetaChannel } from '../channel.types.js';
import { RuleError } from '../connector-error.js';
import type { OutboundMessage } from '../sender.js';
import { decideWindow, enforceWindow, lastInboundAt } from '../window/window.js';
import { templateParameter } from './meta.template.js';

const MESSENGER_MAX = 2000;
const WHATSAPP_MAX = 4096;
const COMMENT_MAX = 8000;
/**
 * Instagram messages (DMs and private replies): "Message text must be UTF-8 and be 1000 bytes or
 * less" (developers.facebook.com/docs/messenger-platform/instagram/features/send-message).
 */
const INSTAGRAM_MAX_BYTES = 1000;

export type MetaPlan =
  /** A WhatsApp message: free text, or (outside the 24 hours) the approved template. */
  | { api: 'whatsapp'; template: boolean }
  /** A public reply to a Page or Instagram comment. */
  | { api: 'comment' }
  /** A private reply to a comment (one per comment, within 7 days). */
  | { api: 'private_reply' }
  /** A Messenger or Instagram message, tagged HUMAN_AGENT past the 24 hours. */
  | { api: 'message'; humanAgent: boolean };

function need(text: string, max: number, where: string, rule: string) {
  if ([...text].length > max)
    throw new RuleError(
      'bad_request',
      'too_long',
      rule,
      `${where} holds at most ${max} characters`,
    );
}

/** Instagram counts a message's UTF-8 bytes: an accent takes 2, most emoji 4. */
function needInstagramBytes(text: string, where: string) {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > INSTAGRAM_MAX_BYTES)
    throw new RuleError(
      'bad_request',
      'too_long',
      'instagram_bytes',
      `${where} holds at most ${INSTAGRAM_MAX_BYTES} bytes of UTF-8 text (Meta's limit) and this one has ${bytes} (${[...text].length} characters; accented letters take 2 bytes, most emoji 4): shorten it`,
    );
}

/** The message being answered, as we stored it (to tell a comment from a private message). */
async function parentOf(db: Kysely<DB>, workspaceId: string, msg: OutboundMessage) {
  if (!msg.inReplyTo) return null;
  return db
    .selectFrom('messages')
    .select(['visibility', 'sent_at', 'author_address'])
    .where('workspace_id', '=', workspaceId)
    .where('channel', '=', msg.channel)
    .where('external_id', '=', msg.inReplyTo)
    .executeTakeFirst();
}

/**
 * How `msg` goes on the channel `ch`, read through `db`: a public answer to a comment is a
 * comment reply; a private answer to a comment is a private reply; otherwise a Messenger,
 * Instagram or WhatsApp message within the messaging window. Throws the `RuleError` of a
 * length or window rule that refuses it, naming the customer's other identities for a window.
 */
export async function metaPlan(
  db: Kysely<DB>,
  workspaceId: string,
  ch: MetaChannel,
  msg: OutboundMessage,
  now: number,
): Promise<MetaPlan> {
  const customer = { channel: msg.channel, address: msg.to };
  if (msg.channel === 'whatsapp') {
    need(msg.text, WHATSAPP_MAX, 'a WhatsApp message', 'whatsapp_length');
    const last = await lastInboundAt(db, workspaceId, {
      channel: 'whatsapp',
      channelId: ch.id,
      address: msg.to,
    });
    const d = await enforceWindow(
      db,
      workspaceId,
      decideWindow({
        surface: 'whatsapp',
        now,
        lastInboundAt: last,
        templateAvailable: !!ch.config.whatsappTemplate,
      }),
      customer,
    );
    // The template's one parameter holds less than a message: refused before the call too.
    if (d.mode === 'template') templateParameter(msg.text, ch.config.whatsappTemplate!.name);
    return { api: 'whatsapp', template: d.mode === 'template' };
  }
  const parent = await parentOf(db, workspaceId, msg);
  const instagram = msg.channel === 'instagram';
  if (parent?.visibility === 'public' && msg.visibility === 'public') {
    need(msg.text, COMMENT_MAX, 'a comment', 'comment_length');
    return { api: 'comment' };
  }
  if (parent?.visibility === 'public') {
    if (instagram) needInstagramBytes(msg.text, 'an Instagram private reply');
    else need(msg.text, MESSENGER_MAX, 'a private reply', 'messenger_length');
    const used = await db
      .selectFrom('messages')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('channel', '=', msg.channel)
      .where('in_reply_to', '=', msg.inReplyTo)
      .where('direction', '=', 'out')
      .where('visibility', '=', 'private')
      .where('status', 'in', ['sent', 'delivered', 'read'])
      .where('id', '!=', msg.messageId)
      .executeTakeFirst();
    await enforceWindow(
      db,
      workspaceId,
      decideWindow({
        surface: 'private_reply',
        now,
        lastInboundAt: Number(parent.sent_at),
        privateReplyUsed: !!used,
      }),
      customer,
    );
    return { api: 'private_reply' };
  }
  if (instagram) needInstagramBytes(msg.text, 'an Instagram message');
  else need(msg.text, MESSENGER_MAX, 'a message', 'messenger_length');
  const last = await lastInboundAt(db, workspaceId, {
    channel: msg.channel,
    channelId: ch.id,
    address: msg.to,
    visibility: 'private',
  });
  const d = await enforceWindow(
    db,
    workspaceId,
    decideWindow({
      surface: instagram ? 'instagram_dm' : 'messenger',
      now,
      lastInboundAt: last,
      humanAgentTag: ch.config.humanAgentTag && !msg.automated,
      automated: msg.automated,
    }),
    customer,
  );
  return { api: 'message', humanAgent: d.mode === 'human_agent' };
}
