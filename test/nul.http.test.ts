import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMessage, asAdmin, type TestApp, testApp } from './builders.js';
import { ENGINES } from './support/engines.js';

/**
 * A NUL character (U+0000) in a path parameter, a query value or a JSON body. PostgreSQL cannot
 * hold one in text, so each of these answered 500 there while SQLite answered 404 or 200; both
 * engines must now answer one 400. And framework errors (a URL that is not valid percent-encoding,
 * bad JSON, wrong media type, too large) answer in the app's error shape.
 */
describe.each(ENGINES)('NUL characters on %s', (engine) => {
  let t: TestApp;
  let caseId: string;
  let problemId: string;
  beforeAll(async () => {
    t = await testApp(engine);
    const m = aMessage({ text: 'No signal at all since this morning' });
    const res = await asAdmin(t, 'POST', '/api/v1/inbound', m);
    expect(res.statusCode, res.body).toBe(202);
    await t.app.pipeline.drain();
    const row = await t.app.database.db
      .selectFrom('messages')
      .select('case_id')
      .where('external_id', '=', m.externalId)
      .executeTakeFirstOrThrow();
    caseId = row.case_id as string;
    const p = await asAdmin(t, 'POST', '/api/v1/problems', { caseId, title: 'No signal' });
    expect(p.statusCode, p.body).toBe(201);
    problemId = p.json().id;
  });
  afterAll(async () => {
    await t?.close();
  });

  const send = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
    t.app.http.inject({ method, url, headers: t.auth, ...(payload ? { payload } : {}) });

  it('refuses a NUL in a path id, a query value or a JSON body value with one 400', async () => {
    const requests: [string, () => ReturnType<typeof send>][] = [
      ['GET /problems/%00', () => send('GET', '/api/v1/problems/%00')],
      ['GET /problems/a%00b', () => send('GET', '/api/v1/problems/a%00b')],
      ['GET notifications', () => send('GET', '/api/v1/problems/%00/notifications')],
      ['GET ?owner', () => send('GET', '/api/v1/problems?owner=%00')],
      ['GET ?topic', () => send('GET', '/api/v1/problems?topic=%00')],
      ['POST status', () => send('POST', '/api/v1/problems/%00/status', { status: 'fixing' })],
      [
        'POST merge intoId',
        () => send('POST', `/api/v1/problems/${problemId}/merge`, { intoId: '\u0000' }),
      ],
      [
        'POST status owner',
        () => send('POST', `/api/v1/problems/${problemId}/status`, { owner: 'net\u0000ops' }),
      ],
      ['GET /cases/%00', () => send('GET', '/api/v1/cases/%00')],
      ['GET ?assignee', () => send('GET', '/api/v1/cases?assignee=%00')],
      ['GET /customers/%00', () => send('GET', '/api/v1/customers/%00')],
      ['PATCH case', () => send('PATCH', `/api/v1/cases/${caseId}`, { assigneeId: 'u\u0000' })],
    ];
    for (const [what, request] of requests) {
      const res = await request();
      expect(res.statusCode, `${what}: ${res.body}`).toBe(400);
      expect(res.json().error, what).toMatchObject({
        code: 'bad_request',
        message: 'NUL characters are not allowed',
      });
    }
    // The case search drops a NUL from its free text (case.search.ts) instead of refusing it.
    const search = await send('GET', '/api/v1/cases?q=signal%00%20at');
    expect(search.statusCode, search.body).toBe(200);
    // The problem it tried to merge is untouched.
    const p = await send('GET', `/api/v1/problems/${problemId}`);
    expect(p.statusCode).toBe(200);
    expect(p.json().mergedIntoId ?? null).toBeNull();
  });

  it('refuses half an emoji (a lone UTF-16 surrogate) in what a person writes, and keeps whole ones', async () => {
    for (const payload of [{ body: 'We are on it \ud800 lone' }, { body: 'half \udc00' }]) {
      const res = await send('POST', `/api/v1/problems/${problemId}/status`, payload);
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error).toMatchObject({
        code: 'bad_request',
        message: expect.stringMatching(/unpaired UTF-16 surrogate/),
        details: { in: 'body/body' },
      });
    }
    const title = await send('POST', '/api/v1/problems', {
      caseId,
      title: 'lone \ud83d surrogate',
    });
    expect(title.statusCode, title.body).toBe(400);
    // Nothing was posted by the refused updates; a whole emoji (both halves) is text.
    const before = await send('GET', `/api/v1/problems/${problemId}`);
    expect(before.json().updates).toEqual([]);
    const ok = await send('POST', `/api/v1/problems/${problemId}/status`, {
      body: 'On it \ud83d\ude00',
    });
    expect(ok.statusCode, ok.body).toBe(200);
    const after = await send('GET', `/api/v1/problems/${problemId}`);
    expect(after.json().updates.map((u: { body: string }) => u.body)).toEqual([
      'On it \ud83d\ude00',
    ]);
  });

  it('answers framework errors in the app error shape', async () => {
    const badUrl = await send('GET', '/api/v1/problems/%ff');
    expect(badUrl.statusCode).toBe(400);
    expect(badUrl.json()).toEqual({
      error: { code: 'bad_request', message: expect.stringMatching(/not valid/) },
    });
    const badJson = await t.app.http.inject({
      method: 'POST',
      url: `/api/v1/problems/${problemId}/status`,
      headers: { ...t.auth, 'content-type': 'application/json' },
      payload: '{"status":',
    });
    expect(badJson.statusCode).toBe(400);
    expect(badJson.json().error.code).toBe('bad_request');
    const text = await t.app.http.inject({
      method: 'POST',
      url: `/api/v1/problems/${problemId}/status`,
      headers: { ...t.auth, 'content-type': 'text/plain' },
      payload: 'fixing',
    });
    expect(text.statusCode).toBe(415);
    expect(text.json().error.code).toBe('unsupported_media_type');
    const big = await send('POST', `/api/v1/problems/${problemId}/status`, {
      body: 'x'.repeat(1024 * 1024 + 10),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().error.code).toBe('payload_too_large');
  });
});
