import { describe, expect, it } from 'vitest';
import { suiteAppRoutes } from './support/suite.js';

/**
 * A query parameter an API route does not take is a 400 naming it and the ones it takes, never
 * ignored: a supervisor who asked `GET /api/v1/csat?from=…` or `/promises/stats?team=…` got the
 * unfiltered figure and believed it filtered. Checked over every route the app registers, so a
 * route added later is held to it too.
 */
describe('unknown query parameters', () => {
  const { t, routes } = suiteAppRoutes();

  const get = (url: string) => t.app.http.inject({ method: 'GET', url, headers: t.auth });

  it('are refused on every authenticated /api/v1 route, naming the parameter', async () => {
    const api = routes.filter((r) => r.url.startsWith('/api/v1/') && !r.isPublic);
    expect(api.length).toBeGreaterThan(40);
    const wrong: string[] = [];
    for (const r of api) {
      const url = `${r.url.replace(/:(\w+)/g, 'x-$1')}?no_such_filter=1`;
      const body = r.method !== 'GET' && r.method !== 'DELETE';
      const res = await t.app.http.inject({
        method: r.method as 'GET',
        url,
        headers: body ? { ...t.auth, 'content-type': 'application/json' } : t.auth,
        payload: body ? '{}' : undefined,
      });
      const message = res.json().error?.message ?? '';
      if (res.statusCode !== 400 || !message.includes('"no_such_filter"'))
        wrong.push(`${r.method} ${r.url} → ${res.statusCode} ${message}`);
    }
    expect(wrong).toEqual([]);
  });

  it('says which parameters the route takes', async () => {
    const cases = await get('/api/v1/cases?topic=billing');
    expect(cases.statusCode).toBe(400);
    expect(cases.json().error).toMatchObject({
      code: 'bad_request',
      message: expect.stringMatching(/unknown query parameter "topic".*status, queue, channel/),
      details: { unknown: ['topic'], accepted: expect.arrayContaining(['status', 'cursor']) },
    });
    const stats = await get('/api/v1/promises/stats?team=x&from=2026-01-01T00:00:00Z');
    expect(stats.statusCode).toBe(400);
    expect(stats.json().error.message).toMatch(/"team".*takes from, to$/);
    const problems = await get('/api/v1/problems?since=2026-01-01T00:00:00Z&Status=open');
    expect(problems.statusCode).toBe(400);
    expect(problems.json().error.details.unknown).toEqual(['since', 'Status']);
    const none = await get('/api/v1/queues?team=x');
    expect(none.statusCode).toBe(400);
    expect(none.json().error.message).toMatch(/takes no query parameters/);
    // A parameter the route declares still works.
    expect((await get('/api/v1/cases?status=open&limit=5')).statusCode).toBe(200);
    expect((await get('/api/v1/problems?status=confirmed')).statusCode).toBe(200);
  });

  it('routes that check their own caller keep the parameters their callers add', async () => {
    // Jira webhook URLs carry the variables an admin put in them; survey links may get a
    // mail client's tracking parameters. Their answers are their own checks', not a 400.
    const jira = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/integrations/nope/jira-webhook?issue=OPS-1',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    expect(jira.statusCode).toBe(401);
    const survey = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/csat/no-such-survey-token?utm_source=mail',
      payload: { rating: 5 },
    });
    expect(survey.statusCode).toBe(404);
  });

  it('CSAT reports take the period promise statistics take', async () => {
    const ws = t.app.workspace.workspaceId;
    const survey = (id: string, sentAt: string, rating: number | null) => ({
      id,
      workspace_id: ws,
      case_id: `case-${id}`,
      customer_id: `cust-${id}`,
      channel: 'sms',
      agent_id: null,
      token: `token-${id}-0123456789`,
      sent_at: Date.parse(sentAt),
      rating,
      comment: null,
      answered_at: rating === null ? null : Date.parse(sentAt) + 60_000,
    });
    await t.app.database.db
      .insertInto('csat_surveys')
      .values([
        survey('a', '2025-12-20T10:00:00Z', 1),
        survey('b', '2026-01-05T10:00:00Z', 5),
        survey('c', '2026-01-20T10:00:00Z', null),
        survey('d', '2026-02-01T00:00:00Z', 2),
      ])
      .execute();
    const sms = async (query: string) => {
      const res = await get(`/api/v1/csat${query}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json().items.find((i: { channel: string }) => i.channel === 'sms');
    };
    expect(await sms('')).toMatchObject({ sent: 4, answered: 3 });
    expect(await sms('?from=2026-01-01T00:00:00Z&to=2026-02-01T00:00:00Z')).toMatchObject({
      sent: 2,
      answered: 1,
      average: 5,
    });
    expect(await sms('?from=2026-02-01T00:00:00Z')).toMatchObject({ sent: 1, average: 2 });
    expect((await get('/api/v1/csat?from=yesterday')).statusCode).toBe(400);
    expect((await get('/api/v1/csat?since=2026-01-01T00:00:00Z')).statusCode).toBe(400);
  });
});
