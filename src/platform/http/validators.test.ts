import { Type } from '@sinclair/typebox';
import { afterAll, describe, expect, it } from 'vitest';
import { Nullable } from '../nullable.js';
import { createHttpServer } from './server.js';

describe('request validation by part', () => {
  const app = createHttpServer(false);
  app.post(
    '/t/:n',
    {
      schema: {
        params: Type.Object({ n: Type.Integer() }),
        querystring: Type.Object({ limit: Type.Integer(), tags: Type.Array(Type.String()) }),
        body: Type.Object({
          team: Type.String(),
          ids: Type.Array(Type.String()),
          count: Type.Integer(),
          note: Nullable(Type.String()),
        }),
      },
    },
    async (req) => ({ params: req.params, query: req.query, body: req.body }),
  );
  afterAll(() => app.close());

  const post = (body: unknown, query = 'limit=5&tags=a') =>
    app.inject({ method: 'POST', url: `/t/7?${query}`, payload: body as object });

  it('coerces the text of a path and a query string', async () => {
    const res = await post({ team: 't', ids: ['a'], count: 1, note: null });
    expect(res.statusCode).toBe(200);
    expect(res.json().params).toEqual({ n: 7 });
    expect(res.json().query).toEqual({ limit: 5, tags: ['a'] });
    expect(res.json().body.note).toBeNull();
  });

  it('takes a JSON body as sent: a wrong type is a 400 naming the field, never converted', async () => {
    const cases: [unknown, string][] = [
      [{ team: 5, ids: [], count: 1, note: null }, 'body/team must be string'],
      [{ team: 't', ids: 'a', count: 1, note: null }, 'body/ids must be array'],
      [{ team: 't', ids: [], count: '1', note: null }, 'body/count must be integer'],
      [{ team: 't', ids: [], count: true, note: null }, 'body/count must be integer'],
    ];
    for (const [body, message] of cases) {
      const res = await post(body);
      expect(res.statusCode, JSON.stringify(body)).toBe(400);
      expect(res.json().error.message).toContain(message);
    }
  });
});

describe('validation messages', () => {
  const app = createHttpServer(false);
  app.post(
    '/p',
    {
      schema: {
        body: Type.Object({
          priority: Type.Union([Type.Literal('low'), Type.Literal('high')]),
        }),
      },
    },
    async () => ({}),
  );
  afterAll(() => app.close());

  it('say a union of constants as the values it takes', async () => {
    const res = await app.inject({ method: 'POST', url: '/p', payload: { priority: 5 } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toBe(
      'invalid request: body/priority must be one of "low", "high"',
    );
  });
});

describe('date-time format', () => {
  const app = createHttpServer(false);
  const When = Type.String({ format: 'date-time' });
  app.post(
    '/d',
    {
      schema: {
        querystring: Type.Object({ from: Type.Optional(When) }),
        body: Type.Object({ at: When }),
      },
    },
    async (req) => ({ at: Date.parse(req.body.at) }),
  );
  afterAll(() => app.close());

  const post = (at: string, query = '') =>
    app.inject({ method: 'POST', url: `/d${query}`, payload: { at } });

  it('refuses, in the body and the query, an RFC 3339 time Date.parse cannot read', async () => {
    // A leap second and an offset of hours alone are RFC 3339, but Date.parse answers NaN.
    for (const at of ['2026-12-31T23:59:60Z', '2026-06-30T23:59:60Z', '2026-01-01T10:00:00+01']) {
      const res = await post(at);
      expect(res.statusCode, at).toBe(400);
      expect(res.json().error).toMatchObject({
        code: 'bad_request',
        message: 'invalid request: body/at must match format "date-time"',
      });
    }
    const q = await post('2026-01-01T00:00:00Z', '?from=2016-12-31T23:59:60Z');
    expect(q.statusCode).toBe(400);
    expect(q.json().error.message).toBe(
      'invalid request: querystring/from must match format "date-time"',
    );
  });

  it('takes the times Date.parse reads, and still refuses what RFC 3339 does not allow', async () => {
    for (const at of [
      '2026-12-31T23:59:59Z',
      '2026-01-01t10:00:00.123+01:00',
      '2026-01-01T10:00:00+0100',
    ]) {
      const res = await post(at);
      expect(res.statusCode, at).toBe(200);
      expect(res.json().at).toBe(Date.parse(at));
    }
    for (const at of ['2026-02-30T10:00:00Z', '2026-01-01T10:00:00', 'yesterday']) {
      expect((await post(at)).statusCode, at).toBe(400);
    }
  });
});
