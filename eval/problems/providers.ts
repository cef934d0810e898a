/**
 * Channels that can actually send, for the notification metric: the product's X and Meta
 * adapters registered through the admin API against the fake X API and fake Graph API on
 * loopback (test/fakes), and the generic `api` channel's signed webhook pointed at a loopback
 * receiver. The product has no sender for email, SMS, web chat or voice: notifications routed
 * there fail exactly as they would in production, and the metric counts them as not notified.
 */
import type { App } from '../../src/app.js';
import { FakeServer } from '../../test/fakes/fake-server.js';
import { FakeMeta } from '../../test/fakes/meta-provider.js';
import { FakeX } from '../../test/fakes/x-provider.js';

const META_SECRET = 'eval-meta-app-secret';
/** The simulated brand's accounts (src/simulate/conversation.ts). */
const BRAND_X_ID = '1180000000000000001';
const BRAND_PAGE_ID = '104800000000001';

export interface Providers {
  x: FakeX;
  meta: FakeMeta;
  api: FakeServer;
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
  return {
    x,
    meta,
    api,
    async close() {
      await Promise.all([x.close(), meta.close(), api.close()]);
    },
  };
}

/** Registers the X and Meta channels as an admin would; returns their ids. */
export async function registerChannels(
  app: App,
  auth: Record<string, string>,
  p: Providers,
): Promise<{ x: string; meta: string }> {
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
  return { x, meta };
}
