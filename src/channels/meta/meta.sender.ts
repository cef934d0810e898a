import { obj, str } from '../channel.json.js';
import { recordError, recordSuccess } from '../channel.state.js';
import { loadChannel } from '../channel.store.js';
import {
  DEFAULT_GRAPH_BASE_URL,
  DEFAULT_GRAPH_VERSION,
  type MetaChannel,
  type MetaConfig,
  type MetaSecrets,
} from '../channel.types.js';
import { ConnectorError } from '../connector-error.js';
import type { ChannelDeps } from '../routes.js';
import type { OutboundMessage, Sender } from '../sender.js';
import { decideWindow, enforceWindow, lastInboundAt } from '../window/window.js';
import { type GraphOptions, graphCall } from './meta.client.js';
import { templateParameter } from './meta.template.js';

const MESSENGER_MAX = 2000;
const WHATSAPP_MAX = 4096;
/**
 * Instagram messages (DMs and private replies): "Message text must be UTF-8 and be 1000 bytes or
 * less" (developers.facebook.com/docs/messenger-platform/instagram/features/send-message).
 */
const INSTAGRAM_MAX_BYTES = 1000;

const graphOpts = (ch: MetaChannel): GraphOptions => ({
  baseUrl: ch.config.graphBaseUrl ?? DEFAULT_GRAPH_BASE_URL,
  version: ch.config.graphVersion ?? DEFAULT_GRAPH_VERSION,
  appSecret: ch.secrets.appSecret,
});

async function loadMeta(deps: ChannelDeps, id: string | null): Promise<MetaChannel> {
  if (!id) throw new ConnectorError('bad_request', 'the message names no Meta channel');
  const ch = await loadChannel<MetaConfig, MetaSecrets>(
    deps.db,
    deps.secretKey,
    deps.workspaceId,
    id,
    'meta',
  );
  if (!ch || ch.disabledAt)
    throw new ConnectorError('bad_request', `Meta channel ${id} is unknown or disabled`);
  return ch;
}

/** The message being answered, as we stored it (to tell a comment from a private message). */
async function parentOf(deps: ChannelDeps, msg: OutboundMessage) {
  if (!msg.inReplyTo) return null;
  return deps.db
    .selectFrom('messages')
    .select(['visibility', 'sent_at', 'author_address'])
    .where('workspace_id', '=', deps.workspaceId)
    .where('channel', '=', msg.channel)
    .where('external_id', '=', msg.inReplyTo)
    .executeTakeFirst();
}

function need(text: string, max: number, where: string) {
  if ([...text].length > max)
    throw new ConnectorError('bad_request', `${where} holds at most ${max} characters`);
}

/** Instagram counts a message's UTF-8 bytes: an accent takes 2, most emoji 4. */
function needInstagramBytes(text: string, where: string) {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > INSTAGRAM_MAX_BYTES)
    throw new ConnectorError(
      'bad_request',
      `${where} holds at most ${INSTAGRAM_MAX_BYTES} bytes of UTF-8 text (Meta's limit) and this one has ${bytes} (${[...text].length} characters; accented letters take 2 bytes, most emoji 4): shorten it`,
    );
}

/**
 * Sends on Facebook, Instagram and WhatsApp. Which API is used follows from the message:
 * a public answer to a comment is a comment reply; a private answer to a comment is a private
 * reply (one per comment, within 7 days); otherwise a Messenger/Instagram/WhatsApp message
 * within the messaging window (window/window.ts decides, and says why when it cannot go).
 */
export function metaSender(deps: ChannelDeps): Sender {
  const send: Sender = async (msg) => {
    const ch = await loadMeta(deps, msg.channelId);
    const g = graphOpts(ch);
    const now = deps.clock();
    const customer = { channel: msg.channel, address: msg.to };
    try {
      let externalId: string | undefined;
      if (msg.channel === 'whatsapp') {
        need(msg.text, WHATSAPP_MAX, 'a WhatsApp message');
        const last = await lastInboundAt(deps.db, deps.workspaceId, {
          channel: 'whatsapp',
          channelId: ch.id,
          address: msg.to,
        });
        const d = await enforceWindow(
          deps.db,
          deps.workspaceId,
          decideWindow({
            surface: 'whatsapp',
            now,
            lastInboundAt: last,
            templateAvailable: !!ch.config.whatsappTemplate,
          }),
          customer,
        );
        externalId = await sendWhatsApp(
          ch,
          msg.to,
          d.mode === 'template' ? { template: msg.text } : { text: msg.text },
        );
      } else {
        const parent = await parentOf(deps, msg);
        const instagram = msg.channel === 'instagram';
        // Facebook and Instagram messages both go through the Messenger Platform: POST
        // /{PAGE-ID}/messages on graph.facebook.com with the Page access token, Instagram's by
        // the Page linked to the Instagram professional account (Messenger API for Instagram:
        // developers.facebook.com/docs/messenger-platform/instagram/features/send-message and
        // …/instagram/features/private-replies). The record holds a Page token, not an
        // Instagram-Login token for graph.instagram.com, so that other flow is not used. A public
        // comment reply names only the comment: only messages need the Page.
        const messages = () => {
          if (ch.config.pageId) return `${ch.config.pageId}/messages`;
          throw new ConnectorError(
            'bad_request',
            instagram
              ? 'the Meta channel has no pageId configured: Instagram messages are sent through the Facebook Page linked to the Instagram account'
              : 'the Meta channel has no pageId configured',
          );
        };
        const token = ch.secrets.pageAccessToken;
        if (parent?.visibility === 'public' && msg.visibility === 'public') {
          need(msg.text, 8000, 'a comment');
          // Facebook: POST /{object-id}/comments; Instagram: POST /{ig-comment-id}/replies.
          const path =
            msg.channel === 'instagram' ? `${msg.inReplyTo}/replies` : `${msg.inReplyTo}/comments`;
          const r = await graphCall(g, token, 'POST', path, { message: msg.text });
          externalId = str(r.id);
        } else if (parent?.visibility === 'public') {
          if (instagram) needInstagramBytes(msg.text, 'an Instagram private reply');
          else need(msg.text, MESSENGER_MAX, 'a private reply');
          const used = await deps.db
            .selectFrom('messages')
            .select('id')
            .where('workspace_id', '=', deps.workspaceId)
            .where('channel', '=', msg.channel)
            .where('in_reply_to', '=', msg.inReplyTo)
            .where('direction', '=', 'out')
            .where('visibility', '=', 'private')
            .where('status', 'in', ['sent', 'delivered', 'read'])
            .where('id', '!=', msg.messageId)
            .executeTakeFirst();
          await enforceWindow(
            deps.db,
            deps.workspaceId,
            decideWindow({
              surface: 'private_reply',
              now,
              lastInboundAt: Number(parent.sent_at),
              privateReplyUsed: !!used,
            }),
            customer,
          );
          const r = await graphCall(g, token, 'POST', messages(), {
            recipient: { comment_id: msg.inReplyTo },
            message: { text: msg.text },
          });
          externalId = str(r.message_id);
        } else {
          if (instagram) needInstagramBytes(msg.text, 'an Instagram message');
          else need(msg.text, MESSENGER_MAX, 'a message');
          const last = await lastInboundAt(deps.db, deps.workspaceId, {
            channel: msg.channel,
            channelId: ch.id,
            address: msg.to,
            visibility: 'private',
          });
          const d = await enforceWindow(
            deps.db,
            deps.workspaceId,
            decideWindow({
              surface: instagram ? 'instagram_dm' : 'messenger',
              now,
              lastInboundAt: last,
              humanAgentTag: ch.config.humanAgentTag && !msg.automated,
              automated: msg.automated,
            }),
            customer,
          );
          const r = await graphCall(g, token, 'POST', messages(), {
            recipient: { id: msg.to },
            messaging_type: d.mode === 'human_agent' ? 'MESSAGE_TAG' : 'RESPONSE',
            ...(d.mode === 'human_agent' ? { tag: 'HUMAN_AGENT' } : {}),
            message: { text: msg.text },
          });
          externalId = str(r.message_id);
        }
      }
      await recordSuccess(deps.db, deps.workspaceId, ch.id, deps.clock());
      return externalId ? { externalId } : {};
    } catch (err) {
      // Window refusals are about the message, not the channel's health.
      if (err instanceof ConnectorError && err.providerStatus !== undefined) {
        await recordError(deps.db, deps.workspaceId, ch.id, err, deps.clock());
      }
      throw err;
    }
  };
  // A reply goes out on the channel record (Page, account, number) the conversation arrived on.
  send.ready = async (msg) => msg.channelId !== null;
  return send;
}

/**
 * A WhatsApp Cloud API message: free text, or the configured approved template whose single body
 * parameter carries the text (outside the 24-hour window), on one line as WhatsApp requires
 * (`templateParameter`). Exported for the loop-closing notifications.
 * developers.facebook.com/docs/whatsapp/cloud-api/reference/messages
 */
export async function sendWhatsApp(
  ch: MetaChannel,
  to: string,
  content: { text: string } | { template: string },
): Promise<string | undefined> {
  const phoneId = ch.config.whatsappPhoneNumberId;
  if (!phoneId)
    throw new ConnectorError(
      'bad_request',
      'the Meta channel has no whatsappPhoneNumberId configured',
    );
  const tpl = ch.config.whatsappTemplate;
  const body =
    'text' in content
      ? { type: 'text', text: { preview_url: false, body: content.text } }
      : {
          type: 'template',
          template: {
            name: tpl!.name,
            language: { code: tpl!.language },
            components: [
              {
                type: 'body',
                parameters: [
                  { type: 'text', text: templateParameter(content.template, tpl!.name) },
                ],
              },
            ],
          },
        };
  const r = await graphCall(
    graphOpts(ch),
    ch.secrets.whatsappToken,
    'POST',
    `${phoneId}/messages`,
    {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: to.replace(/^\+/, ''),
      ...body,
    },
  );
  const first = obj(Array.isArray(r.messages) ? r.messages[0] : undefined);
  return str(first?.id);
}

/** Hides (or unhides) a Page comment: a moderation action, the comment stays in the case. */
export async function setCommentHidden(
  deps: ChannelDeps,
  channelId: string,
  commentId: string,
  hidden: boolean,
): Promise<void> {
  const ch = await loadMeta(deps, channelId);
  try {
    await graphCall(
      graphOpts(ch),
      ch.secrets.pageAccessToken,
      'POST',
      encodeURIComponent(commentId),
      { is_hidden: hidden },
    );
  } catch (err) {
    if (err instanceof ConnectorError)
      await recordError(deps.db, deps.workspaceId, ch.id, err, deps.clock());
    throw err;
  }
}

/** Reads the Page (and the WhatsApp number) with the stored tokens. */
export async function metaTestConnection(
  deps: ChannelDeps,
  ch: MetaChannel,
): Promise<Record<string, string | undefined>> {
  const g = graphOpts(ch);
  const out: Record<string, string | undefined> = {};
  if (ch.secrets.pageAccessToken) {
    const page = await graphCall(
      g,
      ch.secrets.pageAccessToken,
      'GET',
      ch.config.pageId ?? 'me',
      undefined,
      { fields: 'id,name' },
    );
    out.pageId = str(page.id);
    out.pageName = str(page.name);
    if (ch.config.pageId && out.pageId !== ch.config.pageId) {
      throw new ConnectorError(
        'permission_missing',
        `the page token belongs to page ${out.pageId}, not ${ch.config.pageId}`,
      );
    }
  }
  if (ch.config.whatsappPhoneNumberId) {
    const phone = await graphCall(
      g,
      ch.secrets.whatsappToken,
      'GET',
      ch.config.whatsappPhoneNumberId,
      undefined,
      {
        fields: 'display_phone_number,verified_name',
      },
    );
    out.whatsappNumber = str(phone.display_phone_number);
    out.whatsappName = str(phone.verified_name);
  }
  if (Object.keys(out).length === 0)
    throw new ConnectorError('not_configured', 'the Meta channel has no access token to test');
  void deps;
  return out;
}
