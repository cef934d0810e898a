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
import type { Sender } from '../sender.js';
import { type GraphOptions, graphCall } from './meta.client.js';
import { metaPlan } from './meta.rules.js';
import { templateParameter } from './meta.template.js';

const graphOpts = (ch: MetaChannel): GraphOptions => ({
  baseUrl: ch.config.graphBaseUrl ?? DEFAULT_GRAPH_BASE_URL,
  version: ch.config.graphVersion ?? DEFAULT_GRAPH_VERSION,
  appSecret: ch.secrets.appSecret,
  otherSecrets: Object.values(ch.secrets),
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

/**
 * Sends on Facebook, Instagram and WhatsApp. Which API is used follows from the message:
 * a public answer to a comment is a comment reply; a private answer to a comment is a private
 * reply (one per comment, within 7 days); otherwise a Messenger/Instagram/WhatsApp message
 * within the messaging window (`metaPlan` decides, with window/window.ts, and says why when it
 * cannot go).
 */
export function metaSender(deps: ChannelDeps): Sender {
  const send: Sender = async (msg) => {
    const ch = await loadMeta(deps, msg.channelId);
    const g = graphOpts(ch);
    try {
      let externalId: string | undefined;
      const plan = await metaPlan(deps.db, deps.workspaceId, ch, msg, deps.clock());
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
          msg.channel === 'instagram'
            ? 'the Meta channel has no pageId configured: Instagram messages are sent through the Facebook Page linked to the Instagram account'
            : 'the Meta channel has no pageId configured',
        );
      };
      const token = ch.secrets.pageAccessToken;
      if (plan.api === 'whatsapp') {
        externalId = await sendWhatsApp(
          ch,
          msg.to,
          plan.template ? { template: msg.text } : { text: msg.text },
        );
      } else if (plan.api === 'comment') {
        // Facebook: POST /{object-id}/comments; Instagram: POST /{ig-comment-id}/replies.
        const path =
          msg.channel === 'instagram' ? `${msg.inReplyTo}/replies` : `${msg.inReplyTo}/comments`;
        const r = await graphCall(g, token, 'POST', path, { message: msg.text });
        externalId = str(r.id);
      } else if (plan.api === 'private_reply') {
        const r = await graphCall(g, token, 'POST', messages(), {
          recipient: { comment_id: msg.inReplyTo },
          message: { text: msg.text },
        });
        externalId = str(r.message_id);
      } else {
        const r = await graphCall(g, token, 'POST', messages(), {
          recipient: { id: msg.to },
          messaging_type: plan.humanAgent ? 'MESSAGE_TAG' : 'RESPONSE',
          ...(plan.humanAgent ? { tag: 'HUMAN_AGENT' } : {}),
          message: { text: msg.text },
        });
        externalId = str(r.message_id);
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
  send.check = async (db, msg, now) => {
    if (!msg.channelId) return;
    const ch = await loadChannel<MetaConfig, MetaSecrets>(
      db,
      deps.secretKey,
      deps.workspaceId,
      msg.channelId,
      'meta',
    );
    // A record gone or disabled is the send's to report: only the rules refuse here.
    if (!ch || ch.disabledAt) return;
    await metaPlan(db, deps.workspaceId, ch, msg, now);
  };
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
