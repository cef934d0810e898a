import { Type } from '@sinclair/typebox';
import { AppError } from '../../platform/errors.js';
import { webhookResponses } from '../../platform/http/responses.js';
import type { Http } from '../../platform/http/server.js';
import { ingestDelivery } from '../channel.ingest.js';
import { webhookUrl } from '../channel.routes.js';
import { loadChannel } from '../channel.store.js';
import type { ChannelDeps } from '../routes.js';
import { parseSmsWebhook } from './sms.parse.js';
import type { SmsConfig, SmsSecrets } from './sms.types.js';
import { TWILIO_SIGNATURE_HEADER, verifyTwilioSignature } from './sms.verify.js';

const Params = Type.Object({ channelId: Type.String({ maxLength: 100 }) });
/** An empty TwiML answer: we reply later, through the outbox, not in the webhook response. */
const EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';

/**
 * `POST /webhooks/sms/:channelId`: Twilio's Messaging webhook (incoming messages) and status
 * callback, form-encoded and signed with X-Twilio-Signature over the URL Twilio was given
 * (`THROUGHLINE_PUBLIC_URL` + this path) and the parameters.
 */
export function smsWebhookRoutes(app: Http, deps: ChannelDeps) {
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string' },
    (_req, body, done) => done(null, body),
  );
  app.post(
    '/webhooks/sms/:channelId',
    {
      config: { public: true },
      bodyLimit: 256 * 1024,
      schema: {
        tags: ['channels'],
        summary: 'Twilio Messaging webhook',
        params: Params,
        response: webhookResponses('TwiML (text/xml)'),
      },
    },
    async (req, reply) => {
      const ch = await loadChannel<SmsConfig, SmsSecrets>(
        deps.db,
        deps.secretKey,
        deps.workspaceId,
        req.params.channelId,
        'sms',
      );
      if (!ch || ch.disabledAt)
        return reply
          .status(404)
          .send({ error: { code: 'not_found', message: 'no such SMS channel' } });
      if (typeof req.body !== 'string')
        throw new AppError(
          'unsupported_media_type',
          'send Content-Type: application/x-www-form-urlencoded',
        );
      const params = new URLSearchParams(req.body);
      const q = req.url.indexOf('?');
      const url =
        webhookUrl(deps.config.publicUrl, 'sms', ch.id) + (q >= 0 ? req.url.slice(q) : '');
      const sig = req.headers[TWILIO_SIGNATURE_HEADER];
      if (
        !verifyTwilioSignature(
          ch.secrets.authToken,
          url,
          params,
          typeof sig === 'string' ? sig : undefined,
        )
      )
        throw new AppError('forbidden', `invalid or missing ${TWILIO_SIGNATURE_HEADER}`);
      // Twilio names the account a request is for in every Messaging webhook and status callback
      // (`AccountSid`). One for another account is not this channel's, however it was signed:
      // refused with 403, as Twilio's own webhook middleware refuses a request that fails
      // validation. Twilio does not retry a Messaging webhook that answers 4xx; it records the
      // failure (error 11200) in the sending account's debugger, where its owner sees it. Older
      // status callbacks without the parameter are judged by the signature alone.
      const accountSid = params.get('AccountSid');
      if (accountSid !== null && accountSid !== ch.config.accountSid) {
        req.log.warn(
          { channelId: ch.id, accountSid },
          "sms webhook: AccountSid is not this channel's account; refused",
        );
        throw new AppError('forbidden', `AccountSid ${accountSid} is not this channel's account`);
      }
      const parsed = parseSmsWebhook(params, { channelId: ch.id, now: deps.clock() });
      await ingestDelivery(deps, ch.id, parsed);
      if (parsed.ignored.length) req.log.debug({ ignored: parsed.ignored }, 'sms webhook: ignored');
      return reply.type('text/xml').send(EMPTY_TWIML);
    },
  );
}
