import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCookie, signInNew, type TestApp, testApp } from '../../../test/builders.js';
import { createApiToken, hashToken } from '../auth/tokens.js';
import { LiveBus } from '../realtime/bus.js';
import { authHook } from './auth.js';
import { LiveStreams, liveStreamRoute } from './live-stream.js';
import { createHttpServer, type Http } from './server.js';

/** Reads a stream until it ends or `ms` pass; says which, and what came. */
async function readFor(body: ReadableStream<Uint8Array>, ms: number, until?: string) {
  const reader = body.getReader();
  let text = '';
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const timeout = new Promise<'timeout'>((r) =>
      setTimeout(() => r('timeout'), deadline - Date.now()),
    );
    const got = await Promise.race([reader.read(), timeout]);
    if (got === 'timeout') break;
    if (got.done) return { ended: true, text };
    text += new TextDecoder().decode(got.value);
    if (until && text.includes(until)) {
      reader.releaseLock();
      return { ended: false, text };
    }
  }
  await reader.cancel().catch(() => {});
  return { ended: false, text };
}

describe('the live-event stream ends with its credentials', () => {
  let t: TestApp;
  let base: string;

  beforeAll(async () => {
    t = await testApp('sqlite');
    base = await t.app.http.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('ends at once when its session signs out', async () => {
    const login = await signInNew(t, {
      email: 'watcher@example.test',
      password: 'watcher password 1',
      name: 'Watcher',
    });
    const cookie = sessionCookie(login);
    const res = await fetch(`${base}/api/v1/events`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const body = res.body as ReadableStream<Uint8Array>;
    const out = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie },
    });
    expect(out.statusCode).toBe(200);
    // Events published after the logout must not reach it.
    t.app.bus.publish({
      type: 'case.updated',
      workspaceId: t.app.workspace.workspaceId,
      data: { caseId: 'after-logout' },
    });
    const { ended, text } = await readFor(body, 5_000);
    expect(ended).toBe(true);
    expect(text).toContain('event: end');
    expect(text).not.toContain('after-logout');
  });
});

describe('the live-event stream re-checks its credentials', () => {
  let t: TestApp;
  let server: Http;
  let base: string;
  const bus = new LiveBus();

  beforeAll(async () => {
    t = await testApp('sqlite');
    // The stream route alone, checking every 100 ms instead of 30 s.
    server = createHttpServer(false);
    server.register(async (plugin) => {
      const scope = plugin.withTypeProvider<TypeBoxTypeProvider>() as Http;
      scope.addHook('onRequest', authHook(t.app.database.db));
      liveStreamRoute(scope, {
        db: t.app.database.db,
        bus,
        streams: new LiveStreams(),
        recheckMs: 100,
      });
    });
    base = await server.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(async () => {
    await server?.close();
    await t?.close();
  });

  it('delivers while the token holds and ends once it is revoked', async () => {
    const db = t.app.database.db;
    const { token } = await createApiToken(db, t.app.workspace.workspaceId, 'screen', 'agent');
    const res = await fetch(`${base}/api/v1/events`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = res.body as ReadableStream<Uint8Array>;
    // Still valid after several checks: events keep coming.
    await new Promise((r) => setTimeout(r, 350));
    bus.publish({ type: 'case.updated', workspaceId: t.app.workspace.workspaceId, data: { n: 1 } });
    const first = await readFor(body, 5_000, '"n":1');
    expect(first.ended).toBe(false);
    await db
      .updateTable('api_tokens')
      .set({ revoked_at: Date.now() })
      .where('token_hash', '=', hashToken(token))
      .execute();
    const { ended, text } = await readFor(body, 5_000);
    expect(ended).toBe(true);
    expect(text).toContain('event: end');
  });
});
