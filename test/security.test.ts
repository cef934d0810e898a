import { describe, expect, it } from 'vitest';
import { createApiToken } from '../src/platform/auth/tokens.js';
import { suiteAppRoutes } from './support/suite.js';

/**
 * Security by default, checked over every route the app registers (not a hand-kept list): each
 * one refuses a caller without credentials, except the few that are public on purpose, and
 * those refuse requests that lack their own proof (signature, verify token, survey token).
 */
const PUBLIC = new Set([
  'GET /',
  'GET /healthz',
  'GET /api/openapi.json',
  'POST /api/v1/auth/login',
  'POST /api/v1/csat/:token',
  'GET /csat/:token',
  'POST /csat/:token',
  'GET /webhooks/x/:channelId',
  'POST /webhooks/x/:channelId',
  'GET /webhooks/meta/:channelId',
  'POST /webhooks/meta/:channelId',
  'POST /webhooks/sms/:channelId',
  'POST /api/v1/integrations/:id/jira-webhook',
  'POST /api/v1/integrations/:id/pagerduty-webhook',
]);

describe('every route is authenticated or verifies its caller', () => {
  const { t, routes } = suiteAppRoutes();

  it('finds the routes', () => {
    expect(routes.length).toBeGreaterThan(40);
  });

  it('refuses every non-public route without credentials (401), and with a bad token', async () => {
    const open: string[] = [];
    const sniffable: string[] = [];
    const cacheable: string[] = [];
    for (const r of routes) {
      if (PUBLIC.has(`${r.method} ${r.url}`)) continue;
      const url = r.url.replace(/:(\w+)/g, 'x-$1');
      for (const headers of [
        {},
        { authorization: 'Bearer tl_forged' },
        { cookie: 'tl_session=forged' },
      ]) {
        const res = await t.app.http.inject({
          method: r.method as 'GET',
          url,
          headers: { ...headers, 'content-type': 'application/json' },
          payload: r.method === 'GET' || r.method === 'DELETE' ? undefined : '{}',
        });
        if (res.statusCode !== 401) open.push(`${r.method} ${r.url} → ${res.statusCode}`);
        if (res.headers['x-content-type-options'] !== 'nosniff') sniffable.push(r.url);
        if (r.url.startsWith('/api/') && res.headers['cache-control'] !== 'no-store') {
          cacheable.push(r.url);
        }
      }
    }
    expect(open).toEqual([]);
    // A refusal holds no customer text, but the headers are set on every answer, so a route
    // that forgot them would show here first.
    expect(sniffable).toEqual([]);
    expect(cacheable).toEqual([]);
  });

  it('answers with nosniff and no-referrer on public pages and unknown paths too', async () => {
    for (const url of ['/healthz', '/api/openapi.json', '/no-such-page', '/api/v1/nothing']) {
      const res = await t.app.http.inject({ method: 'GET', url });
      expect(res.headers['x-content-type-options'], url).toBe('nosniff');
      expect(res.headers['referrer-policy'], url).toBe('no-referrer');
    }
  });

  it('public routes refuse requests without their own proof', async () => {
    // Real channels and integrations, so the refusal comes from the signature or token check
    // and not from an unknown id.
    const { token } = await createApiToken(
      t.app.database.db,
      t.app.workspace.workspaceId,
      'security',
      'admin',
    );
    const create = async (url: string, payload: unknown): Promise<string> => {
      const res = await t.app.http.inject({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${token}` },
        payload: payload as object,
      });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    };
    const x = await create('/api/v1/channels', {
      kind: 'x',
      name: 'X',
      config: { accountId: '1234' },
      secrets: { consumerSecret: 'x-consumer-secret' },
    });
    const meta = await create('/api/v1/channels', {
      kind: 'meta',
      name: 'Meta',
      config: { pageId: '123' },
      secrets: { appSecret: 'meta-app-secret', verifyToken: 'the-verify-token' },
    });
    const sms = await create('/api/v1/channels', {
      kind: 'sms',
      name: 'SMS',
      config: { accountSid: `AC${'0'.repeat(32)}`, from: '+14155550100' },
      secrets: { authToken: 'sms-auth-token' },
    });
    const jira = await create('/api/v1/integrations', {
      kind: 'jira',
      name: 'jira',
      config: { baseUrl: 'http://127.0.0.1:9', projectKey: 'OPS', email: 'bot@example.com' },
      secrets: { apiToken: 'jira-token', inboundSecret: 'jira-inbound-secret' },
    });
    const pd = await create('/api/v1/integrations', {
      kind: 'pagerduty',
      name: 'pd',
      config: { eventsUrl: 'http://127.0.0.1:9/v2/enqueue' },
      secrets: {
        routingKey: 'R0UTINGKEY0123456789012345678901',
        inboundSecret: 'pd-inbound-secret',
      },
    });
    const forged = { 'x-twitter-webhooks-signature': `sha256=${'A'.repeat(43)}=` };
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const forgedMeta = { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` };
    const cases: [string, string, Record<string, string>, number[]][] = [
      ['POST', `/webhooks/x/${x}`, {}, [401, 403]],
      ['POST', `/webhooks/x/${x}`, forged, [401, 403]],
      // X's CRC GET answers any caller by design (an HMAC only the secret's holder can make),
      // but only for a short base64-style token: the same HMAC signs deliveries, so it must never
      // sign a body (src/channels/x/x.crc.test.ts has the forged-delivery reproduction).
      [
        'GET',
        `/webhooks/x/${x}?crc_token=${encodeURIComponent('{"for_user_id":"1234"}')}`,
        {},
        [400],
      ],
      ['POST', `/webhooks/meta/${meta}`, {}, [401, 403]],
      ['POST', `/webhooks/meta/${meta}`, forgedMeta, [401, 403]],
      [
        'GET',
        `/webhooks/meta/${meta}?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1`,
        {},
        [401, 403],
      ],
      ['POST', `/webhooks/sms/${sms}`, form, [401, 403]],
      [
        'POST',
        `/webhooks/sms/${sms}`,
        { ...form, 'x-twilio-signature': `${'A'.repeat(27)}=` },
        [401, 403],
      ],
      ['POST', `/api/v1/integrations/${jira}/jira-webhook`, {}, [401, 403]],
      ['POST', `/api/v1/integrations/${pd}/pagerduty-webhook`, {}, [401, 403]],
      // Unknown ids are refused too, without saying more than "not found".
      ['POST', '/webhooks/x/nope', {}, [401, 403, 404]],
      ['POST', '/webhooks/meta/nope', {}, [401, 403, 404]],
      ['POST', '/webhooks/sms/nope', {}, [401, 403, 404]],
      ['POST', '/api/v1/csat/not-a-real-survey-token', {}, [400, 401, 403, 404]],
    ];
    for (const [method, url, headers, allowed] of cases) {
      const res = await t.app.http.inject({
        method: method as 'GET',
        url,
        headers: { 'content-type': 'application/json', ...headers },
        payload: method === 'POST' ? '{"rating":5,"for_user_id":"1234"}' : undefined,
      });
      expect([url, headers, res.statusCode, allowed.includes(res.statusCode)]).toEqual([
        url,
        headers,
        res.statusCode,
        true,
      ]);
    }
    // Nothing reached the inbound log.
    const stored = await t.app.database.db
      .selectFrom('inbound_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(0);
  });
});
