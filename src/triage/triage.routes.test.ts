import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMessage, type TestApp, testApp } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { correctionsForTraining, insertCorrection } from './corrections.queries.js';
import { triageRoutes } from './triage.routes.js';

// A fake OpenAI-compatible server on 127.0.0.1: the model name picks the behaviour.
let llmBase = '';
const prompts: string[] = [];
const embedded: string[] = [];
const llmServer = createServer(async (req, res) => {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  const body = JSON.parse(raw) as { model: string; messages: { content: string }[] };
  if (req.url === '/v1/embeddings') {
    // One dimension per letter: enough for "nearest", in OpenAI's response shape.
    const input = (body as unknown as { input: string[] }).input;
    embedded.push(...input);
    const vec = (t: string) =>
      Array.from(
        { length: 26 },
        (_, i) => t.toLowerCase().split(String.fromCharCode(97 + i)).length - 1,
      );
    res.writeHead(200, { 'content-type': 'application/json' });
    return res.end(
      JSON.stringify({
        object: 'list',
        data: input.map((t, index) => ({ object: 'embedding', index, embedding: vec(t) })),
        model: body.model,
      }),
    );
  }
  prompts.push(body.messages.map((m) => m.content).join('\n'));
  const answer = (content: string) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ choices: [{ message: { role: 'assistant', content } }] }));
  };
  if (body.model === 'label')
    return answer('```json\n{"complaint": true, "topic": "billing"}\n```');
  if (body.model === 'draft')
    return answer('So sorry about this! Please DM us and we will sort it.');
  res.writeHead(503).end('down');
});

beforeAll(async () => {
  await new Promise<void>((r) => llmServer.listen(0, '127.0.0.1', r));
  llmBase = `http://127.0.0.1:${(llmServer.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => llmServer.close(() => r())));

describe.each(ENGINES)('triage routes on %s', (engine) => {
  let t: TestApp;
  const ids: string[] = [];
  let caseId = '';

  beforeAll(async () => {
    t = await testApp(engine);
    const texts = [
      'the zorblax gadget thing is acting up today',
      'my zorblax gadget is weird again',
      'zorblax gadget acting strange, any idea?',
      'my card 4111 1111 1111 1111 was charged for nothing',
    ];
    for (const text of texts) {
      const res = await t.app.http.inject({
        method: 'POST',
        url: '/api/v1/inbound',
        headers: t.auth,
        payload: aMessage({ text }),
      });
      expect(res.statusCode).toBe(202);
    }
    await t.app.pipeline.drain();
    const rows = await t.app.database.db
      .selectFrom('messages')
      .select(['id', 'text', 'case_id'])
      .where('direction', '=', 'in')
      .orderBy('sent_at')
      .execute();
    for (const text of texts) {
      const row = rows.find((r) => r.text === text);
      ids.push(row?.id ?? '');
      if (text.includes('4111')) caseId = row?.case_id ?? '';
    }
  });
  afterAll(() => t.close());

  const post = (url: string, payload: unknown) =>
    t.app.http.inject({ method: 'POST', url, headers: t.auth, payload: payload as object });
  const get = (url: string) => t.app.http.inject({ method: 'GET', url, headers: t.auth });

  it('rejects empty, unknown and misplaced corrections', async () => {
    expect((await post(`/api/v1/messages/${ids[0]}/triage`, {})).statusCode).toBe(400);
    expect((await post(`/api/v1/messages/${ids[0]}/triage`, { topic: 'weather' })).statusCode).toBe(
      400,
    );
    expect((await post('/api/v1/messages/nope/triage', { complaint: true })).statusCode).toBe(404);
    const anon = await t.app.http.inject({
      method: 'POST',
      url: `/api/v1/messages/${ids[0]}/triage`,
      payload: { complaint: true },
    });
    expect(anon.statusCode).toBe(401);
  });

  it('refuses a channel that does not exist, naming the ones that do', async () => {
    const bad = await post('/api/v1/triage/classify', { text: 'no signal', channel: 'twitter' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/webchat/);
    const ok = await post('/api/v1/triage/classify', { text: 'no signal', channel: 'x' });
    expect(ok.statusCode).toBe(200);
  });

  it('stores corrections, versions the model and learns from them', async () => {
    const probe = 'zorblax gadget broke on me';
    const before = t.app.http.inject({
      method: 'POST',
      url: '/api/v1/triage/classify',
      headers: t.auth,
      payload: { text: probe },
    });
    const deviceBefore = (await before).json().topicScores.device as number;

    for (const id of ids.slice(0, 2)) {
      const res = await post(`/api/v1/messages/${id}/triage`, { topic: 'device', complaint: true });
      expect(res.statusCode).toBe(201);
      expect(res.json().correction).toMatchObject({
        messageId: id,
        topic: 'device',
        complaint: true,
      });
    }
    // Made with the test's API token: attributed to it (userId is for people).
    const token = await t.app.database.db
      .selectFrom('api_tokens')
      .select('id')
      .where('name', '=', 'test')
      .executeTakeFirstOrThrow();
    const mine = (await get('/api/v1/triage/corrections?limit=1')).json().items[0];
    expect(mine).toMatchObject({ userId: null, tokenId: token.id });
    const last = await post(`/api/v1/messages/${ids[2]}/triage`, { topic: 'device' });
    expect(last.json().model).toMatchObject({
      corrections: 3,
      version: expect.stringMatching(/\+3c\.[0-9a-f-]{6}$/),
    });

    // The message itself now carries the agent's answer.
    const msg = await t.app.database.db
      .selectFrom('messages')
      .select('triage_json')
      .where('id', '=', ids[2])
      .executeTakeFirstOrThrow();
    const stored = JSON.parse(msg.triage_json ?? '{}');
    expect(stored.topic).toBe('device');
    // ...and its scores agree: device on top.
    expect(stored.topicScores.device).toBe(Math.max(...Object.values<number>(stored.topicScores)));

    const list = (await get('/api/v1/triage/corrections?limit=2')).json();
    expect(list.items).toHaveLength(2);
    expect(list.items[0].messageId).toBe(ids[2]);
    expect(list.nextCursor).toBeTruthy();
    const rest = (await get(`/api/v1/triage/corrections?before=${list.nextCursor}`)).json();
    expect(rest.items.map((c: { messageId: string }) => c.messageId)).toEqual([ids[0]]);

    const model = (await get('/api/v1/triage/model')).json();
    expect(model).toMatchObject({ corrections: 3, llm: false, baseVersion: 'triage-linear-v11' });
    expect(model.history.length).toBeGreaterThanOrEqual(4);

    // A message never corrected, sharing the corrected words, moved toward "device".
    const after = await post('/api/v1/triage/classify', { text: probe });
    expect(after.json().topicScores.device).toBeGreaterThan(deviceBefore);
    expect(after.json()).toMatchObject({ source: 'offline', note: 'llm off' });
  });

  it('suggests a written reply when no LLM is configured', async () => {
    const res = await post(`/api/v1/cases/${caseId}/suggest-reply`, {});
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ source: 'template', note: 'llm off' });
    expect((await post('/api/v1/cases/missing/suggest-reply', {})).statusCode).toBe(404);
    // A write takes its JSON body, `{}` here: a stray empty POST is refused.
    const empty = await t.app.http.inject({
      method: 'POST',
      url: `/api/v1/cases/${caseId}/suggest-reply`,
      headers: t.auth,
    });
    expect(empty.statusCode, empty.body).toBe(400);
  });

  it('uses the LLM when configured, masks personal data, and falls back when it fails', async () => {
    const route = async (model: string, url: string, payload: unknown, embeddingModel?: string) => {
      const { default: Fastify } = await import('fastify');
      const app = Fastify();
      app.addHook('onRequest', async (req) => {
        req.actor = {
          type: 'token',
          id: 'x',
          name: 'x',
          role: 'agent',
          workspaceId: t.app.workspace.workspaceId,
        };
      });
      const llm = { url: llmBase, apiKey: '', model, timeoutMs: 2000, embeddingModel };
      // biome-ignore lint/suspicious/noExplicitAny: a bare Fastify instance stands in for Http
      triageRoutes(app as any, {
        db: t.app.database.db,
        config: { ...t.app.config, llm },
        triage: await installation(),
        clock: Date.now,
      });
      const res = await app.inject({ method: 'POST', url, payload: payload as object });
      await app.close();
      return res.json();
    };
    const installation = async () => {
      const { InstallationTriage } = await import('./installation.js');
      const i = new InstallationTriage({
        db: t.app.database.db,
        workspaceId: t.app.workspace.workspaceId,
        clock: Date.now,
      });
      await i.load();
      return i;
    };

    prompts.length = 0;
    const drafted = await route('draft', `/api/v1/cases/${caseId}/suggest-reply`, {});
    expect(drafted).toMatchObject({ source: 'llm', reply: expect.stringContaining('DM us') });
    expect(prompts.join('\n')).not.toContain('4111');
    expect(prompts.join('\n')).toContain('[card]');

    const failed = await route('down', `/api/v1/cases/${caseId}/suggest-reply`, {});
    expect(failed).toMatchObject({ source: 'template', note: 'server' });

    // An unsure text (a vague request for help) gets the LLM's label; a failing LLM leaves the offline one.
    const unsure = 'hi, can someone help me with something';
    const labelled = await route('label', '/api/v1/triage/classify', { text: unsure });
    expect(labelled).toMatchObject({ source: 'llm', complaint: true, topic: 'billing' });
    const fallback = await route('down', '/api/v1/triage/classify', { text: unsure });
    expect(fallback).toMatchObject({ source: 'offline', note: 'server' });
    // With an embedding model configured, the unsure topic goes to the nearest of our written
    // sentences and the agents' corrections (the zorblax ones above), chat failing or not.
    embedded.length = 0;
    const mixed = 'signal and the bill and the router';
    const near = await route('down', '/api/v1/triage/classify', { text: mixed }, 'letters');
    expect(near, JSON.stringify(near)).toMatchObject({ source: 'embedding' });
    expect(near.topicScores[near.topic]).toBe(
      Math.max(...(Object.values(near.topicScores) as number[])),
    );
    expect(embedded).toContain(mixed);
    expect(embedded.some((t) => t.includes('zorblax'))).toBe(true);
  });

  it('a complaint is never praise, corrected by an agent either', async () => {
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/inbound',
      headers: t.auth,
      payload: aMessage({ text: 'thank you so much, the team was great today!' }),
    });
    expect(res.statusCode).toBe(202);
    await t.app.pipeline.drain();
    const row = await t.app.database.db
      .selectFrom('messages')
      .select(['id', 'triage_json'])
      .where('text', '=', 'thank you so much, the team was great today!')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(row.triage_json!).topic).toBe('praise');
    const both = await post(`/api/v1/messages/${row.id}/triage`, {
      topic: 'praise',
      complaint: true,
    });
    expect(both.statusCode).toBe(400);
    const flag = await post(`/api/v1/messages/${row.id}/triage`, { complaint: true });
    expect(flag.statusCode, flag.body).toBe(201);
    const after = await t.app.database.db
      .selectFrom('messages')
      .select('triage_json')
      .where('id', '=', row.id)
      .executeTakeFirstOrThrow();
    const tri = JSON.parse(after.triage_json!);
    expect(tri.complaint).toBe(true);
    expect(tri.complaintScore).toBe(1);
    expect(tri.topic).not.toBe('praise');
  });

  it('praise alone clears the complaint flag: stored, applied and learned alike', async () => {
    const text = 'my internet has been down all day and nobody helps, this is terrible';
    const res = await post('/api/v1/inbound', aMessage({ text }));
    expect(res.statusCode).toBe(202);
    await t.app.pipeline.drain();
    const db = t.app.database.db;
    const triageOf = async (id: string) =>
      JSON.parse(
        (
          await db
            .selectFrom('messages')
            .select('triage_json')
            .where('id', '=', id)
            .executeTakeFirstOrThrow()
        ).triage_json!,
      );
    const { id } = await db
      .selectFrom('messages')
      .select('id')
      .where('text', '=', text)
      .executeTakeFirstOrThrow();
    expect((await triageOf(id)).complaint).toBe(true);
    const fix = await post(`/api/v1/messages/${id}/triage`, { topic: 'praise' });
    expect(fix.statusCode, fix.body).toBe(201);
    expect(fix.json().correction).toMatchObject({ topic: 'praise', complaint: false });
    expect(await triageOf(id)).toMatchObject({
      topic: 'praise',
      complaint: false,
      complaintScore: 0,
    });
    const learned = await correctionsForTraining(db, t.app.workspace.workspaceId, 1000);
    expect(learned.corrections.find((c) => c.text === text)).toEqual({
      text,
      topic: 'praise',
      complaint: false,
    });
  });

  it('corrections stored before praise implied "no complaint" are learned that way', async () => {
    const db = t.app.database.db;
    const ws = t.app.workspace.workspaceId;
    const text = 'the zorblax gadget thing is acting up today';
    const row = (topic: string | null, complaint: boolean | null) =>
      insertCorrection(db, ws, {
        messageId: ids[0],
        topic: topic as never,
        complaint,
        previous: { topic: null, complaint: null, model: null },
        userId: null,
        tokenId: null,
        createdAt: Date.now(),
      });
    await row('praise', null);
    const learned = async () =>
      (await correctionsForTraining(db, ws, 1000)).corrections.find((c) => c.text === text);
    expect(await learned()).toEqual({ text, topic: 'praise', complaint: false });
    // Then flagged a complaint: not praise any more, its topic left to the model.
    await row(null, true);
    expect(await learned()).toEqual({ text, complaint: true });
  });

  it('names each rebuild apart, and forgets an erased customer’s corrections', async () => {
    const again = await post(`/api/v1/messages/${ids[0]}/triage`, { topic: 'network' });
    expect(again.statusCode, again.body).toBe(201);
    const versions = (await get('/api/v1/triage/model'))
      .json()
      .history.map((h: { version: string }) => h.version);
    // Same number of messages, different corrections: two names.
    expect(new Set(versions).size).toBe(versions.length);
    const { customer_id } = await t.app.database.db
      .selectFrom('messages')
      .select('customer_id')
      .where('id', '=', ids[0])
      .executeTakeFirstOrThrow();
    const before = (await get('/api/v1/triage/model')).json();
    const erased = await post(`/api/v1/customers/${customer_id}/erase`, { confirm: true });
    expect(erased.statusCode, erased.body).toBe(200);
    const left = await t.app.database.db
      .selectFrom('triage_corrections')
      .select('id')
      .where('message_id', '=', ids[0])
      .execute();
    expect(left).toEqual([]);
    // The model was rebuilt without them, under a new name.
    const after = (await get('/api/v1/triage/model')).json();
    expect(after.version).not.toBe(before.version);
    expect(after.corrections).toBe(before.corrections - 1);
    // Nothing left to learn from: the text is the placeholder.
    const late = await post(`/api/v1/messages/${ids[0]}/triage`, { complaint: true });
    expect(late.statusCode, late.body).toBe(422);
    expect(late.json().error.message).toMatch(/erased/);
  });
});
