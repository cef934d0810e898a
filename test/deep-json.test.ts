import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readReplayFile } from '../src/commands/replay.command.js';
import {
  MAX_JSON_DEPTH,
  nestedTooDeeply,
  TOO_DEEP_MESSAGE,
} from '../src/platform/http/json-depth.js';
import { findNul, replaceNulDeep } from '../src/platform/http/nul-guard.js';
import { type TestApp, testApp } from './builders.js';
import {
  createChannel,
  deliverMeta,
  deliverX,
  META_APP_SECRET,
  X_SECRET,
} from './fakes/channels.js';
import { ENGINES } from './support/engines.js';

/** `[[[…]]]` nested `n` deep, as the QA report's `python3 -c "print('['*n+']'*n)"`. */
const nested = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
const DEEP = nested(100_000);

describe('the nesting check of JSON text', () => {
  it('counts arrays and objects, not brackets inside strings', () => {
    expect(nestedTooDeeply(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(nestedTooDeeply(nested(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(nestedTooDeeply('{"a":{"b":[1,{"c":2}]}}', 3)).toBe(true);
    expect(nestedTooDeeply('{"a":{"b":[1,{"c":2}]}}', 4)).toBe(false);
    const text = JSON.stringify({ text: '[[[[[[[[{{{{ \\" [[[[ "' });
    expect(nestedTooDeeply(text, 1)).toBe(false);
    expect(nestedTooDeeply(Buffer.from(DEEP))).toBe(true);
    expect(nestedTooDeeply(Buffer.from(JSON.stringify({ é: ['ü', { '[': '}' }] })), 3)).toBe(false);
  });

  it('the NUL walkers take a value nested 100,000 deep without overflowing the stack', () => {
    const deep = JSON.parse(DEEP);
    expect(findNul(deep)).toBeUndefined();
    let inner = deep;
    while (inner.length) inner = inner[0];
    inner.push('a\u0000b');
    expect(findNul(deep)).toBe(`${'/0'.repeat(100_000)}`);
    let copy = replaceNulDeep(deep);
    while (copy.length && typeof copy[0] !== 'string') copy = copy[0];
    expect(copy).toEqual(['a\uFFFDb']);
  });

  it('the NUL walkers keep document order and paths', () => {
    expect(findNul({ a: ['x', { b: 'y\u0000' }], c: '\u0000' })).toBe('/a/1/b');
    expect(findNul({ ok: 1, 'k\u0000': 'v' })).toBe('/k\\u0000');
    expect(findNul('\u0000')).toBe('/');
    expect(replaceNulDeep({ a: ['\u0000', { 'b\u0000': 1 }], n: null })).toEqual({
      a: ['\uFFFD', { 'b\uFFFD': 1 }],
      n: null,
    });
  });
});

describe('replay lines nested too deeply', () => {
  it('are bad lines, skipped with the reason; the others are read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'throughline-deep-'));
    try {
      const file = join(dir, 'deep.jsonl');
      const ok = {
        channel: 'sms',
        externalId: 'deep-ok',
        author: { id: '+16285559032' },
        text: 'fine',
        sentAt: '2026-05-04T10:00:00Z',
      };
      // JSON.stringify cannot write such a value either: the provider payload spliced in as text.
      const deepLine = JSON.stringify({ ...ok, externalId: 'deep-raw', raw: 0 }).replace(
        '"raw":0',
        `"raw":${nested(100_000)}`,
      );
      writeFileSync(file, `${deepLine}\n${JSON.stringify(ok)}\n`);
      const read = await readReplayFile(file);
      expect(read.bad).toBe(1);
      expect(read.messages.map((m) => m.externalId)).toEqual(['deep-ok']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * QA defect 5: a JSON body nested 100,000 deep answered 500 on every route, sign-in included
 * (RangeError: Maximum call stack size exceeded in the NUL guard).
 */
describe.each(ENGINES)('deeply nested JSON bodies on %s', (engine) => {
  let t: TestApp;
  let base: string;
  beforeAll(async () => {
    t = await testApp(engine);
    await t.app.http.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(t.app.http.server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await t?.close();
  });

  const tooDeep = (res: { statusCode: number; json(): unknown }) => {
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code: 'bad_request', message: TOO_DEEP_MESSAGE } });
  };

  it('is a 400 at sign-in, over real HTTP', async () => {
    const res = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: DEEP,
    });
    const body = await res.json();
    expect({ status: res.status, body }).toEqual({
      status: 400,
      body: { error: { code: 'bad_request', message: TOO_DEEP_MESSAGE } },
    });
  });

  it.each([
    ['POST', '/api/v1/inbound'],
    ['POST', '/api/v1/problems'],
    ['PATCH', '/api/v1/cases/0190a8f0-0000-7000-8000-000000000000'],
    ['POST', '/api/v1/triage/classify'],
  ] as const)('is a 400 at %s %s, signed in', async (method, url) => {
    tooDeep(
      await t.app.http.inject({
        method,
        url,
        headers: { ...t.auth, 'content-type': 'application/json' },
        payload: DEEP,
      }),
    );
  });

  it('a body just inside the limit is parsed and judged by the route as before', async () => {
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: nested(MAX_JSON_DEPTH),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).not.toBe(TOO_DEEP_MESSAGE);
  });

  it('is a 400 at the X and Meta webhooks once signed, 403 unsigned', async () => {
    const x = await createChannel(t, {
      kind: 'x',
      name: 'X deep',
      config: { accountId: '1' },
      secrets: { consumerSecret: X_SECRET },
    });
    const meta = await createChannel(t, {
      kind: 'meta',
      name: 'Meta deep',
      config: { pageId: '2' },
      secrets: { appSecret: META_APP_SECRET, verifyToken: 'v' },
    });
    const body = `{"for_user_id":"1","tweet_create_events":${DEEP}}`;
    tooDeep(await deliverX(t, x, body));
    expect((await deliverX(t, x, body, 'sha256=bm9wZQ==')).statusCode).toBe(403);
    tooDeep(await deliverMeta(t, meta, `{"object":"page","entry":${DEEP}}`));
  });
});
