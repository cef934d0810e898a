import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendInbound } from '../src/ingest/inbound.log.js';
import type { InboundMessage } from '../src/ingest/inbound.schema.js';
import { createUser } from '../src/platform/auth/users.js';
import {
  aMessage,
  asAdmin,
  logIn,
  sessionCookie,
  signInNew,
  type TestApp,
  testApp,
} from './builders.js';
import { ENGINES } from './support/engines.js';

/** A loopback receiver standing in for a company's system behind the generic `api` channel. */
async function receiver() {
  const got: { headers: IncomingMessage['headers']; body: string }[] = [];
  let failNext = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      if (failNext > 0) {
        failNext--;
        res.writeHead(503).end('busy');
        return;
      }
      got.push({ headers: req.headers, body });
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ externalId: `rcv-${got.length}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    got,
    failNext: (n: number) => {
      failNext = n;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const SECRET = 'test-webhook-secret-0123456789';

describe.each(ENGINES)('REST API on %s', (engine) => {
  let t: TestApp;
  let rcv: Awaited<ReturnType<typeof receiver>>;
  let now = Date.UTC(2026, 10, 5, 12);
  const msgs: InboundMessage[] = [];

  beforeAll(async () => {
    rcv = await receiver();
    t = await testApp(engine, { apiOutboundUrl: rcv.url, webhookSecret: SECRET });
    for (let i = 0; i < 30; i++) {
      msgs.push(
        aMessage({
          channel: i % 3 === 0 ? 'sms' : 'api',
          author: { id: `api-cust-${i}`, name: i === 7 ? 'Zelda Quartz' : `Person ${i}` },
          text: i === 11 ? 'My router shows a blinking 100% red light' : `question number ${i}`,
          sentAt: new Date(Date.UTC(2026, 10, 5, 8, i)).toISOString(),
          visibility: 'private',
        }),
      );
    }
    await appendInbound(t.app.database.db, t.app.workspace.workspaceId, msgs, now);
    await t.app.pipeline.drain();
  });
  afterAll(async () => {
    await t.close();
    await rcv.close();
  });

  const get = (url: string) => t.app.http.inject({ method: 'GET', url, headers: t.auth });

  it('lists cases newest recorded first with cursor paging that visits every case once', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await get(`/api/v1/cases?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      seen.push(...body.items.map((c: { id: string }) => c.id));
      cursor = body.nextCursor;
      pages++;
    } while (cursor && pages < 20);
    expect(seen).toHaveLength(30);
    expect(new Set(seen).size).toBe(30);
    const first = (await get('/api/v1/cases?limit=2')).json().items;
    expect(Date.parse(first[0].createdAt)).toBeGreaterThanOrEqual(Date.parse(first[1].createdAt));
    const active = (await get('/api/v1/cases?limit=2&sort=activity')).json().items;
    expect(Date.parse(active[0].lastMessageAt)).toBeGreaterThanOrEqual(
      Date.parse(active[1].lastMessageAt),
    );
  });

  it('filters by status, channel, customer and text (q), escaping LIKE wildcards', async () => {
    expect((await get('/api/v1/cases?channel=sms&limit=100')).json().items).toHaveLength(10);
    expect((await get('/api/v1/cases?status=new&limit=100')).json().items).toHaveLength(30);
    expect((await get('/api/v1/cases?status=resolved')).json().items).toHaveLength(0);
    const byName = (await get('/api/v1/cases?q=zelda')).json().items;
    expect(byName).toHaveLength(1);
    expect(byName[0].customerName).toBe('Zelda Quartz');
    expect((await get('/api/v1/cases?q=100%25%20red')).json().items).toHaveLength(1);
    expect((await get('/api/v1/cases?q=%25')).json().items).toHaveLength(
      0 + 0 + (await get('/api/v1/cases?q=100%25')).json().items.length,
    );
    const customer = byName[0].customerId;
    expect((await get(`/api/v1/cases?customer=${customer}`)).json().items).toHaveLength(1);
    const bad = await get('/api/v1/cases?cursor=not-a-cursor');
    expect(bad.statusCode).toBe(400);
  });

  it('reads a case with messages, and a customer with identities and cases', async () => {
    const list = (await get('/api/v1/cases?q=zelda')).json().items;
    const one = (await get(`/api/v1/cases/${list[0].id}`)).json();
    expect(one.messages).toHaveLength(1);
    expect(one.messages[0]).toMatchObject({
      channel: 'api',
      direction: 'in',
      visibility: 'private',
      externalId: msgs[7].externalId,
    });
    expect(one.history.map((h: { type: string }) => h.type)).toContain('created');
    const cust = (await get(`/api/v1/customers/${list[0].customerId}`)).json();
    expect(cust.identities[0]).toMatchObject({ channel: 'api', address: 'api-cust-7' });
    expect(cust.cases).toHaveLength(1);
    expect((await get('/api/v1/cases/nope')).statusCode).toBe(404);
    expect((await get('/api/v1/customers/nope')).statusCode).toBe(404);
  });

  it('a reply goes through the outbox to the api channel webhook, signed, and retries on 503', async () => {
    const c = (await get('/api/v1/cases?q=zelda')).json().items[0];
    rcv.failNext(1);
    const res = await asAdmin(t, 'POST', `/api/v1/cases/${c.id}/replies`, {
      text: 'Hello Zelda, we are on it.',
      expectedVersion: c.version,
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ direction: 'out', status: 'queued' });
    await t.app.outbox.runOnce(); // 503: retried later
    expect(rcv.got).toHaveLength(0);
    const row = await t.app.database.db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
    expect(row.status).toBe('pending');
    expect(row.last_error).toMatch(/temporary/);
    await t.app.database.db.updateTable('outbox').set({ next_attempt_at: 0 }).execute();
    await t.app.outbox.runOnce();
    expect(rcv.got).toHaveLength(1);
    const { headers, body } = rcv.got[0];
    const ts = String(headers['x-throughline-timestamp']);
    const expected = `sha256=${createHmac('sha256', SECRET).update(`${ts}.${body}`).digest('hex')}`;
    expect(headers['x-throughline-signature']).toBe(expected);
    expect(JSON.parse(body)).toMatchObject({
      to: 'api-cust-7',
      text: 'Hello Zelda, we are on it.',
      inReplyTo: msgs[7].externalId,
    });
    const after = (await get(`/api/v1/cases/${c.id}`)).json();
    expect(after.status).toBe('open');
    expect(after.firstResponseAt).not.toBeNull();
    expect(after.messages.at(-1)).toMatchObject({
      direction: 'out',
      status: 'sent',
      externalId: 'rcv-1',
    });
  });

  it('refuses a reply on a stale version and shows what is new', async () => {
    const c = (await get('/api/v1/cases?q=zelda')).json().items[0];
    const stale = c.version;
    await appendInbound(
      t.app.database.db,
      t.app.workspace.workspaceId,
      [
        aMessage({
          channel: 'api',
          author: { id: 'api-cust-7' },
          text: 'any news?',
          visibility: 'private',
          sentAt: new Date().toISOString(),
        }),
      ],
      now++,
    );
    await t.app.pipeline.drain();
    const res = await asAdmin(t, 'POST', `/api/v1/cases/${c.id}/replies`, {
      text: 'late answer',
      expectedVersion: stale,
    });
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('conflict');
    expect(res.json().error.details.newerMessages.map((m: { text: string }) => m.text)).toContain(
      'any news?',
    );
  });

  it('changes status along the lifecycle, records history, and refuses invalid transitions', async () => {
    const c = (await get('/api/v1/cases?q=question%20number%202&limit=1')).json().items[0];
    const patch = (payload: object) =>
      t.app.http.inject({
        method: 'PATCH',
        url: `/api/v1/cases/${c.id}`,
        headers: t.auth,
        payload,
      });
    expect((await patch({ status: 'pending', statusReason: 'internal' })).json()).toMatchObject({
      status: 'pending',
      statusReason: 'internal',
    });
    expect((await patch({ status: 'resolved' })).json().resolvedAt).not.toBeNull();
    const bad = await patch({ status: 'pending' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().error.code).toBe('invalid_transition');
    expect((await patch({ priority: 'urgent' })).json().priority).toBe('urgent');
    expect((await patch({ priority: 'enormous' })).statusCode).toBe(400);
    expect((await patch({ assigneeId: 'ghost' })).statusCode).toBe(400);
    // Assigned to an agent, then unassigned with null (the validator once made that "").
    const { id: agentId } = await createUser(t.app.database.db, {
      workspaceId: t.app.workspace.workspaceId,
      email: 'ada-assignee@example.com',
      name: 'Ada',
      role: 'agent',
      password: 'long enough password',
    });
    expect((await patch({ assigneeId: agentId })).json().assigneeId).toBe(agentId);
    const unassigned = await patch({ assigneeId: null });
    expect(unassigned.statusCode).toBe(200);
    expect(unassigned.json().assigneeId).toBeNull();
    const history = (await get(`/api/v1/cases/${c.id}`))
      .json()
      .history.map((h: { type: string }) => h.type);
    expect(history).toEqual(
      expect.arrayContaining(['created', 'status_changed', 'priority_changed']),
    );
  });

  it('adds internal notes resolving @mentions of users and teams', async () => {
    await createUser(t.app.database.db, {
      workspaceId: t.app.workspace.workspaceId,
      email: 'nina@example.com',
      name: 'Nina',
      role: 'agent',
      password: 'long enough password',
    });
    const c = (await get('/api/v1/cases?limit=1')).json().items[0];
    const res = await asAdmin(t, 'POST', `/api/v1/cases/${c.id}/notes`, {
      body: '@nina and @care-desk: please look <script>alert(1)</script>',
    });
    expect(res.statusCode).toBe(201);
    expect(
      res
        .json()
        .mentions.map((m: { type: string }) => m.type)
        .sort(),
    ).toEqual(['team', 'user']);
    const notes = (await get(`/api/v1/cases/${c.id}`)).json().notes;
    expect(notes[0].body).toContain('<script>'); // stored verbatim; the web app must escape it
  });

  it('streams live updates over SSE', async () => {
    const address = await t.app.http.listen({ port: 0, host: '127.0.0.1' });
    const ctrl = new AbortController();
    const res = await fetch(`${address}/api/v1/events`, { headers: t.auth, signal: ctrl.signal });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body!.getReader();
    const c = (await get('/api/v1/cases?limit=1')).json().items[0];
    await asAdmin(t, 'PATCH', `/api/v1/cases/${c.id}`, { priority: 'high' });
    let text = '';
    while (!text.includes('event: case.updated')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    ctrl.abort();
    expect(text).toContain(`"caseId":"${c.id}"`);
  });

  it('serves health without auth, OpenAPI, and refuses everything else without credentials', async () => {
    expect((await t.app.http.inject({ method: 'GET', url: '/healthz' })).json()).toMatchObject({
      status: 'ok',
    });
    const spec = (await t.app.http.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining(['/api/v1/inbound', '/api/v1/cases', '/api/v1/cases/{id}']),
    );
    for (const url of [
      '/api/v1/cases',
      '/api/v1/customers/x',
      '/api/v1/admin/parked',
      '/api/v1/events',
      '/api/v1/me',
    ]) {
      expect((await t.app.http.inject({ method: 'GET', url })).statusCode).toBe(401);
    }
  });

  it('lets only admins see parked events', async () => {
    const login = await signInNew(t, {
      email: 'agent@example.com',
      password: 'agent password 123',
    });
    expect(login.statusCode).toBe(200);
    const cookie = sessionCookie(login);
    expect(String(login.headers['set-cookie'])).toMatch(/HttpOnly/i);
    expect(String(login.headers['set-cookie'])).toMatch(/SameSite=Strict/i);
    const asAgent = (url: string) => t.app.http.inject({ method: 'GET', url, headers: { cookie } });
    expect((await asAgent('/api/v1/cases')).statusCode).toBe(200);
    expect((await asAgent('/api/v1/admin/parked')).statusCode).toBe(403);
    const wrong = await logIn(t, 'agent@example.com', 'nope nope nope');
    expect(wrong.statusCode).toBe(401);
  });
});
