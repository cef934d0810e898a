import { Type } from '@sinclair/typebox';
import { webhookResponses } from '../../platform/http/responses.js';
import type { Http } from '../../platform/http/server.js';
import { ingestDelivery } from '../channel.ingest.js';
import { loadChannel } from '../channel.store.js';
import type { XChannel, XConfig, XSecrets } from '../channel.types.js';
import type { ChannelDeps } from '../routes.js';
import { signedJsonBody } from '../webhook.body.js';
import { parseXWebhook } from './x.parse.js';
import {
  CRC_TOKEN_PATTERN,
  crcResponseToken,
  verifyXSignature,
  X_SIGNATURE_HEADER,
} from './x.verify.js';

const Params = Type.Object({ channelId: Type.String({ maxLength: 100 }) });

/**
 * `GET/POST /webhooks/x/:channelId`, registered inside a scope whose JSON parser hands over the
 * raw bytes (the signature is over them, and ids must be parsed without rounding).
 */
export function xWebhookRoutes(app: Http, deps: ChannelDeps) {
  const load = (id: string) =>
    loadChannel<XConfig, XSecrets>(deps.db, deps.secretKey, deps.workspaceId, id, 'x');
  const notFound = { error: { code: 'not_found', message: 'no such X channel' } };

  app.get(
    '/webhooks/x/:channelId',
    {
      config: { public: true },
      schema: {
        tags: ['channels'],
        summary: 'X Account Activity CRC challenge',
        params: Params,
        // Only what X sends (x.verify.ts says why anything else would be a signing oracle).
        querystring: Type.Object({
          crc_token: Type.String({ minLength: 1, maxLength: 128, pattern: CRC_TOKEN_PATTERN }),
        }),
      },
    },
    async (req, reply) => {
      const ch = await load(req.params.channelId);
      if (!ch || ch.disabledAt) return reply.status(404).send(notFound);
      return { response_token: crcResponseToken(req.query.crc_token, ch.secrets.consumerSecret) };
    },
  );

  app.post(
    '/webhooks/x/:channelId',
    {
      config: { public: true },
      bodyLimit: 5 * 1024 * 1024,
      schema: {
        tags: ['channels'],
        summary: 'X Account Activity delivery',
        params: Params,
        response: webhookResponses("the delivery's summary"),
      },
    },
    async (req, reply) => {
      const ch: XChannel | null = await load(req.params.channelId);
      if (!ch || ch.disabledAt) return reply.status(404).send(notFound);
      const body = signedJsonBody(req, X_SIGNATURE_HEADER, (raw, sig) =>
        verifyXSignature(raw, sig, ch.secrets.consumerSecret),
      );
      const parsed = parseXWebhook(body, { channelId: ch.id, accountId: ch.config.accountId });
      const summary = await ingestDelivery(deps, ch.id, parsed);
      if (parsed.ignored.length)
        req.log.debug({ ignored: parsed.ignored }, 'x delivery: ignored parts');
      return summary;
    },
  );
}
