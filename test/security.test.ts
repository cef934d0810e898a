import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { freshDatabaseUrl } from './support/engines.js';

/**
 * Security by default, checked over every route the app registers (not a hand-kept list): each
 * one refuses a caller without credentials, except the few that are public on purpose, and
 * those refuse requests that lack their own proof (signature, verify token, survey token).
 */
const PUBLIC = new Set([
  'GET /healthz',
  'GET /api/openapi.json',
  'POST /api/v1/auth/login',
  'POST /api/v1/csat/:token',
  'GET /webhooks/x/:channelId',
  'POST /webhooks/x/:channelId',
  'GET /webhooks/meta/:channelId',
  'POST /webhooks/meta/:channelId',
  'POST /api/v1/integrations/:id/jira-webhook',
  'POST /api/v1/integrations/:id/pagerduty-webhook',
]);

describe('every route is authenticated or verifies its caller', () => {
  let app: App;
  let cleanup: () => void;
  const routes: { method: string; url: string }[] = [];
  beforeAll(async () => {
    const fresh = await freshDatabaseUrl('sqlite');
    cleanup = fresh.cleanup;
    const config = loadConfig({ THROUGHLINE_DATABASE_URL: fresh.url, LOG_LEVEL: 'silent' });
    app = await buildApp({
      config: { ...config, pipeline: { ...config.pipeline, workers: false } },
    });
    app.http.addHook('onRoute', (r) => {
      for (const m of [r.method].flat()) if (m !== 'HEAD') routes.push({ method: m, url: r.url });
    });
    await app.start({ listen: false });
  });
  afterAll(async () => {
    await app.close();
    cleanup();
  });

  it('finds the routes', () => {
    expect(routes.length).toBeGreaterThan(40);
  });

  it('refuses every non-public route without credentials (401), and with a bad token', async () => {
    const open: string[] = [];
    for (const r of routes) {
      if (PUBLIC.has(`${r.method} ${r.url}`)) continue;
      const url = r.url.replace(/:(\w+)/g, 'x-$1');
      for (const headers of [
        {},
        { authorization: 'Bearer tl_forged' },
        { cookie: 'tl_session=forged' },
      ]) {
        const res = await app.http.inject({
          method: r.method as 'GET',
          url,
          headers: { ...headers, 'content-type': 'application/json' },
          payload: r.method === 'GET' || r.method === 'DELETE' ? undefined : '{}',
        });
        if (res.statusCode !== 401) open.push(`${r.method} ${r.url} → ${res.statusCode}`);
      }
    }
    expect(open).toEqual([]);
  });

  it('public routes refuse requests without their own proof', async () => {
    const cases: [string, string, number[]][] = [
      ['POST', '/webhooks/x/nope', [401, 403, 404]],
      ['GET', '/webhooks/x/nope?crc_token=abc', [401, 403, 404]],
      ['POST', '/webhooks/meta/nope', [401, 403, 404]],
      [
        'GET',
        '/webhooks/meta/nope?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1',
        [401, 403, 404],
      ],
      ['POST', '/api/v1/integrations/nope/jira-webhook', [401, 403, 404]],
      ['POST', '/api/v1/integrations/nope/pagerduty-webhook', [401, 403, 404]],
      ['POST', '/api/v1/csat/not-a-real-survey-token', [400, 401, 403, 404]],
    ];
    for (const [method, url, allowed] of cases) {
      const res = await app.http.inject({
        method: method as 'GET',
        url,
        headers: { 'content-type': 'application/json' },
        payload: method === 'POST' ? '{"rating":5}' : undefined,
      });
      expect([url, allowed.includes(res.statusCode)]).toEqual([url, true]);
    }
  });
});
