import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { DB } from '../platform/db/schema.js';
import type { Http } from '../platform/http/server.js';
import type { LiveEvent } from '../platform/realtime/bus.js';
import type { Classify } from './channel.edits.triage.js';
import { channelAdminRoutes } from './channel.routes.js';
import { startChannelTimers } from './channel.timers.js';
import { emailSender } from './email/email.sender.js';
import { startEmailPolling } from './email/email.timer.js';
import { metaModerationRoutes } from './meta/meta.moderation.js';
import { metaWebhookRoutes } from './meta/meta.routes.js';
import { metaSender } from './meta/meta.sender.js';
import type { Sender } from './sender.js';
import { smsWebhookRoutes } from './sms/sms.routes.js';
import { smsSender } from './sms/sms.sender.js';
import { xWebhookRoutes } from './x/x.routes.js';
import { xSender } from './x/x.sender.js';

/** What channel adapters get from the composition root. */
export interface ChannelDeps {
  db: Kysely<DB>;
  config: Config;
  workspaceId: string;
  clock: () => number;
  /** 32-byte key for encrypting channel credentials at rest (AES-256-GCM). */
  secretKey: Buffer;
  /** Wakes the pipeline after inbound events were logged. */
  onAppended: () => void;
  /** The app's logger, for what channels must say outside a request (tests may leave it out). */
  log?: { warn(obj: object, msg: string): void };
  /** Publishes live events after commit (a reply a provider failed later changes its case). */
  publish?: (e: LiveEvent) => void;
  /** The pipeline's classifier: an edited message is triaged again by it (channel.edits.ts). */
  classify: Classify;
}

/**
 * Registers every channel adapter's HTTP routes (webhooks, channel admin). Adapters verify their
 * own signatures and mark their webhook routes `config: { public: true }`.
 */
export function channelRoutes(app: Http, deps: ChannelDeps): void {
  // Webhooks get the raw body: signatures are over the exact bytes, and provider ids must be
  // parsed without rounding. The parser is scoped to this plugin only.
  app.register(async (inner) => {
    // In place of the server's JSON parser (the nesting limit is checked after the signature).
    inner.removeContentTypeParser('application/json');
    inner.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) =>
      done(null, body),
    );
    const scope = inner as unknown as Http;
    xWebhookRoutes(scope, deps);
    metaWebhookRoutes(scope, deps);
    smsWebhookRoutes(scope, deps);
  });
  channelAdminRoutes(app, deps);
  metaModerationRoutes(app, deps);
  startChannelTimers(app, deps);
  startEmailPolling(app, deps);
}

/**
 * Senders by channel kind for the outbox (the `api` channel's is added by the app). Email and SMS
 * send through the workspace's configured mailbox or number; their `ready` says whether one is.
 * Voice calls are answered by SMS (src/notify/route.ts); web chat has no push channel.
 */
export function channelSenders(deps: ChannelDeps): Map<string, Sender> {
  const meta = metaSender(deps);
  return new Map<string, Sender>([
    ['x', xSender(deps)],
    ['facebook', meta],
    ['instagram', meta],
    ['whatsapp', meta],
    ['email', emailSender(deps)],
    ['sms', smsSender(deps)],
  ]);
}
