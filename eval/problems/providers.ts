/**
 * Channels that can actually send, for the notification metric: the product's X, Meta, email
 * and SMS adapters registered through the admin API against fakes on loopback (test/fakes: the
 * fake X API, the fake Graph API, a real SMTP server from npm smtp-server, the fake Twilio), and
 * the generic `api` channel's and web chat's signed webhooks pointed at a loopback receiver (the
 * chat backend delivers to the visitor's session). Callers are reached by SMS to their number.
 */
import type { App } from '../../src/app.js';
import { FakeServer } from '../../test/fakes/fake-server.js';
import { FakeMeta } from '../../test/fakes/meta-provider.js';
import { FakeSmtp } from '../../test/fakes/smtp.js';
import { FakeTwilio } from '../../test/fakes/twilio.js';
import { FakeX } from '../../test/fakes/x-provider.js';

const META_SECRET = 'eval-meta-app-secret';
/** The simulated brand's accounts (src/simulate/conversation.ts). */
const BRAND_X_ID = '1180000000000000001';
const BRAND_PAGE_ID = '104800000000001';

export interface Providers {
  x: FakeX;
  meta: FakeMeta;
  api: FakeServer;
  smtp: FakeSmtp;
  twilio: FakeTwilio;
  close(): Promise<void>;
}

export async function startProviders(): Promise<Providers> {
  const x = await new FakeX().start();
  // No rate-limit window runs out during the eval: X's real DM limits are not modelled here.
  x.remaining = { ...x.remaining, tweets: Number.MAX_SAFE_INTEGER, dm: Number.MAX_SAFE_INTEGER };
  const meta = new FakeMeta(META_SECRET);
  meta.pageId = BRAND_PAGE_ID;
  await meta.start();
  const api = await new FakeServer(() => ({ status: 200, body: {} })).start();
  const smtp = await new FakeSmtp().start();
  const twilio = await new FakeTwilio().start();
  return {
    x,
    meta,
    api,
    smtp,
    twilio,
    async close() {
      await Promise.all([x.close(), meta.close(), api.close(), smtp.close(), twilio.close()]);
    },
  };
}

/** Registers the X, Meta, email and SMS channels as an admin would; returns their ids. */
export async function registerChannels(
  app: App,
  auth: Record<string, string>,
  p: Providers,
): Promise<{ x: string; meta: string; email: string; sms: string }> {
  const create = async (payload: Record<string, unknown>) => {
    const res = await app.http.inject({
      method: 'POST',
      url: '/api/v1/channels',
      headers: auth,
      payload,
    });
    if (res.statusCode !== 201)
      throw new Error(`channel create failed: ${res.statusCode} ${res.body}`);
    return (res.json() as { id: string }).id;
  };
  const x = await create({
    kind: 'x',
    name: 'Kestrel on X',
    config: { accountId: BRAND_X_ID, apiBaseUrl: p.x.url },
    secrets: { consumerSecret: 'eval-x-consumer-secret', userAccessToken: p.x.userToken },
  });
  const meta = await create({
    kind: 'meta',
    name: 'Kestrel on Meta',
    config: {
      graphBaseUrl: p.meta.url,
      graphVersion: p.meta.version,
      pageId: p.meta.pageId,
      // The fake Graph API serves one account id for Messenger and Instagram messages.
      instagramAccountId: p.meta.pageId,
      whatsappPhoneNumberId: p.meta.phoneId,
      whatsappTemplate: { name: 'case_update', language: 'en_US' },
      humanAgentTag: true,
    },
    secrets: {
      appSecret: META_SECRET,
      verifyToken: 'eval-verify',
      pageAccessToken: p.meta.pageToken,
      whatsappToken: p.meta.waToken,
    },
  });
  const email = await create({
    kind: 'email',
    name: 'Kestrel care mailbox',
    config: {
      host: '127.0.0.1',
      port: p.smtp.port,
      secure: false,
      from: 'Kestrel Care <care@kestrel.example>',
    },
    secrets: {},
  });
  const sms = await create({
    kind: 'sms',
    name: 'Kestrel care number',
    config: { accountSid: p.twilio.accountSid, from: '+14155550100', apiBaseUrl: p.twilio.url },
    secrets: { authToken: p.twilio.authToken },
  });
  return { x, meta, email, sms };
}
