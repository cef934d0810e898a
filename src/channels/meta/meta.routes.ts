import { Type } from '@sinclair/typebox';
import { webhookResponses } from '../../platform/http/responses.js';
import type { Http } from '../../platform/http/server.js';
import { ingestDelivery } from '../channel.ingest.js';
import { loadChannel } from '../channel.store.js';
import type { MetaConfig, MetaSecrets } from '../channel.types.js';
import type { ChannelDeps } from '../routes.js';
import { signedJsonBody } from '../webhook.body.js';
import { parseMetaWebhook } from './meta.parse.js';
import { META_SIGNATURE_HEADER, metaHandshake, verifyMetaSignature } from './meta.verify.js';

const Params = Type.Object({ channelId: Type.String({ maxLength: 100 }) });

/**
 * `GET/POST /webhooks/meta/:channelId`: one webhook for Page feed, Messenger, Instagram and
 * WhatsApp. Registered in a scope whose JSON parser yields the raw bytes (signature input).
 */
export function metaWebhookRoutes(app: Http, deps: ChannelDeps) {
  const load = (id: string) =>
    loadChannel<MetaConfig, MetaSecrets>(deps.db, deps.secretKey, deps.workspaceId, id, 'meta');
  const notFound = { error: { code: 'not_found', message: 'no such Meta channel' } };

  app.get(
    '/webhooks/meta/:channelId',
    {
      config: { public: true },
      schema: {
        tags: ['channels'],
        summary: 'Meta webhook verification handshake',
        params: Params,
        response: webhookResponses('`hub.challenge`, as plain text'),
      },
    },
    async (req, reply) => {
      const ch = await load(req.params.channelId);
      if (!ch || ch.disabledAt) return reply.status(404).send(notFound);
      const r = metaHandshake(req.query as Record<string, unknown>, ch.secrets.verifyToken);
      if (!('challenge' in r))
        return reply.status(r.status).send({ error: { code: r.code, message: r.message } });
      // Meta expects the challenge back verbatim as the body.
      return reply.type('text/plain').send(r.challenge);
    },
  );

  app.post(
    '/webhooks/meta/:channelId',
    {
      config: { public: true },
      bodyLimit: 5 * 1024 * 1024,
      schema: {
        tags: ['channels'],
        summary: 'Meta webhook delivery',
        params: Params,
        response: webhookResponses("the delivery's summary"),
      },
    },
    async (req, reply) => {
      const ch = await load(req.params.channelId);
      if (!ch || ch.disabledAt) return reply.status(404).send(notFound);
      const body = signedJsonBody(req, META_SIGNATURE_HEADER, (raw, sig) =>
        verifyMetaSignature(raw, sig, ch.secrets.appSecret),
      );
      const parsed = parseMetaWebhook(body, {
        channelId: ch.id,
        pageId: ch.config.pageId,
        instagramAccountId: ch.config.instagramAccountId,
        whatsappPhoneNumberId: ch.config.whatsappPhoneNumberId,
      });
      const summary = await ingestDelivery(deps, ch.id, parsed);
      if (parsed.ignored.length)
        req.log.debug({ ignored: parsed.ignored }, 'meta delivery: ignored parts');
      if (parsed.placeholders?.length)
        req.log.info(
          { channelId: ch.id, placeholders: parsed.placeholders },
          'meta delivery: messages kept with a placeholder text',
        );
      return summary;
    },
  );
}
