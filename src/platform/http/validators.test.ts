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
