import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LlmClient, LlmError, type LlmFailure } from './llm.js';

// A fake OpenAI-compatible server on 127.0.0.1; each test picks its behaviour by the model name.
let base = '';
let flakyUp = false;
const seen: { path: string; auth?: string; body: Record<string, unknown> }[] = [];
const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
  let raw = '';
  for await (const chunk of req) raw += chunk;
  const body = JSON.parse(raw) as Record<string, unknown>;
  seen.push({ path: req.url ?? '', auth: req.headers.authorization, body });
  const reply = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
  };
  switch (body.model) {
    case 'ok':
      if (req.url === '/v1/embeddings') {
        const input = body.input as string[];
        return reply(200, { data: input.map((_, i) => ({ index: i, embedding: [i, i + 0.5] })) });
      }
      return reply(200, { choices: [{ message: { role: 'assistant', content: 'billing' } }] });
    case 'slow':
      return setTimeout(() => reply(200, { choices: [] }), 500);
    case 'denied':
      return reply(401, { error: 'bad key' });
    case 'busy':
      return reply(429, { error: 'slow down' }, { 'retry-after': '7' });
    case 'busy-a-day':
      return reply(429, { error: 'come back tomorrow' }, { 'retry-after': '86400' });
    case 'flaky':
      return flakyUp
        ? reply(200, { choices: [{ message: { role: 'assistant', content: 'up' } }] })
        : reply(503, 'down');
    case 'broken':
      return reply(503, 'upstream down');
    case 'garbage':
      return reply(200, 'not json');
    case 'moved':
      // Elsewhere on this same fake: a followed redirect would land on 'ok' and succeed.
      return reply(307, '', { location: `${base}/v1/chat/completions?model=ok` });
    default:
      return reply(400, { error: 'unknown model' });
  }
});

beforeAll(async () => {
  server.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const client = (chatModel: string, timeoutMs = 2000) =>
  new LlmClient({
    baseUrl: `${base}/v1/`,
    apiKey: 'k1',
    chatModel,
    embeddingModel: 'ok',
    timeoutMs,
  });

async function errorOf(p: Promise<unknown>): Promise<LlmError> {
  try {
    await p;
  } catch (e) {
    return e as LlmError;
  }
  throw new Error('expected a rejection');
}

describe('LlmClient against a local fake server', () => {
  it('sends an OpenAI-style chat request with the key and returns the text', async () => {
    const text = await client('ok').chat([{ role: 'user', content: 'topic?' }]);
    expect(text).toBe('billing');
    const last = seen.at(-1);
    expect(last?.path).toBe('/v1/chat/completions');
    expect(last?.auth).toBe('Bearer k1');
    expect(last?.body.messages).toEqual([{ role: 'user', content: 'topic?' }]);
  });

  it('returns embeddings in input order', async () => {
    expect(await client('ok').embed(['a', 'b'])).toEqual([
      [0, 0.5],
      [1, 1.5],
    ]);
  });

  it('maps failures to the error taxonomy', async () => {
    const timeout = await errorOf(client('slow', 100).chat([{ role: 'user', content: 'x' }]));
    expect(timeout.kind).toBe('timeout');
    expect(timeout.temporary).toBe(true);
    expect((await errorOf(client('denied').chat([]))).kind).toBe('auth');
    const busy = await errorOf(client('busy').chat([]));
    expect([busy.kind, busy.retryAfterMs]).toEqual(['rate_limited', 7000]);
    expect((await errorOf(client('broken').chat([]))).kind).toBe('server');
    expect((await errorOf(client('garbage').chat([]))).kind).toBe('bad_response');
    const bad = await errorOf(client('nope').chat([]));
    expect([bad.kind, bad.temporary]).toEqual(['bad_request', false]);
  });

  it('does not follow a redirect to another address', async () => {
    const before = seen.length;
    const moved = await errorOf(client('moved').chat([{ role: 'user', content: 'my text' }]));
    expect(moved.kind).toBe('bad_request');
    expect(moved.message).toMatch(/redirect \(not followed\)/);
    // Asked once: the customer's text was not sent on.
    expect(seen.length - before).toBe(1);
  });

  it('reports an unreachable server as a network error', async () => {
    const c = new LlmClient({ baseUrl: 'http://127.0.0.1:1', chatModel: 'ok', timeoutMs: 1000 });
    const e = await errorOf(c.chat([]));
    expect(e).toBeInstanceOf(LlmError);
    expect(e.kind).toBe('network');
  });
});

describe('the circuit breaker', () => {
  let now = 1_000_000;
  const clocked = (chatModel: string, timeoutMs = 2000) =>
    new LlmClient({ baseUrl: base, chatModel, timeoutMs, clock: () => now });
  const calls = (model: string) => seen.filter((r) => r.body.model === model).length;
  const ask = (c: LlmClient) => errorOf(c.chat([{ role: 'user', content: 'x' }]));

  it('leaves a provider alone until its Retry-After has passed, for 10 minutes at most', async () => {
    const c = clocked('busy');
    const before = calls('busy');
    expect((await ask(c)).kind).toBe('rate_limited');
    expect((await ask(c)).kind).toBe('paused');
    expect(calls('busy') - before).toBe(1);
    now += 7_001;
    expect((await ask(c)).kind).toBe('rate_limited');
    expect(calls('busy') - before).toBe(2);
    const day = clocked('busy-a-day');
    await ask(day);
    now += 599_000;
    expect((await ask(day)).kind).toBe('paused');
    now += 1_001;
    expect((await ask(day)).kind).toBe('rate_limited');
    expect(calls('busy-a-day')).toBe(2);
  });

  it('rests a provider after 3 failures in a row, then lets one call through', async () => {
    const slow = clocked('slow', 100);
    const before = calls('slow');
    for (let i = 0; i < 3; i++) expect((await ask(slow)).kind).toBe('timeout');
    const started = Date.now();
    const paused = await ask(slow);
    expect([paused.kind, paused.temporary]).toEqual(['paused', true]);
    expect(Date.now() - started).toBeLessThan(50);
    expect(calls('slow') - before).toBe(3);
    now += 60_001;
    expect((await ask(slow)).kind).toBe('timeout');
    expect((await ask(slow)).kind).toBe('paused');
    expect(calls('slow') - before).toBe(4);
  });

  it('tells the log of each failed call and of the rest, with no key or text in it', async () => {
    const told: LlmFailure[] = [];
    const c = new LlmClient({
      baseUrl: base,
      chatModel: 'slow',
      apiKey: 'sk-never-logged',
      timeoutMs: 100,
      clock: () => now,
      onFailure: (f) => told.push(f),
    });
    for (let i = 0; i < 4; i++) await ask(c);
    // Three timeouts, the third opening the breaker; the fourth call was skipped, not failed.
    expect(told.map((f) => f.kind)).toEqual(['timeout', 'timeout', 'timeout']);
    expect(told[2].restingUntil).toBe(new Date(now + 60_000).toISOString());
    expect(told[0].restingUntil).toBeUndefined();
    expect(told[0].path).toBe('/v1/chat/completions');
    expect(JSON.stringify(told)).not.toMatch(/sk-never-logged|"x"/);
  });

  it('a success ends a run of failures', async () => {
    const c = clocked('flaky');
    flakyUp = false;
    await ask(c);
    await ask(c);
    flakyUp = true;
    expect(await c.chat([])).toBe('up');
    flakyUp = false;
    await ask(c);
    await ask(c);
    expect((await ask(c)).kind).toBe('server');
    expect((await ask(c)).kind).toBe('paused');
  });
});
