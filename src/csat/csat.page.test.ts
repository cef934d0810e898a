import { describe, expect, it } from 'vitest';
import { aMessage, asAdmin, caseFromMessage } from '../../test/builders.js';
import { suiteApp } from '../../test/support/suite.js';

/** The survey as a customer meets it: a link in a message, a page, a form. */
describe('CSAT survey page', () => {
  const t = suiteApp('sqlite', { publicUrl: 'https://desk.example.com/' });
  const db = () => t.app.database.db;

  /** Resolves a fresh SMS case and returns the survey link the customer was sent (the outbox's copy). */
  async function surveyLink(): Promise<string> {
    const m = aMessage({ channel: 'sms', visibility: 'private', author: { id: '+14155550199' } });
    const caseId = await caseFromMessage(t, m);
    const res = await asAdmin(t, 'PATCH', `/api/v1/cases/${caseId}`, {
      status: 'resolved',
      reason: 'fixed',
    });
    expect(res.statusCode).toBe(200);
    const out = await db()
      .selectFrom('outbox')
      .select('payload_json')
      .where('payload_json', 'like', `%${caseId}%`)
      .where('kind', '=', 'send_message')
      .execute();
    const sent = JSON.parse(out.at(-1)!.payload_json) as { text: string };
    const link = /https:\/\/\S+/.exec(sent.text)?.[0];
    expect(link).toMatch(/^https:\/\/desk\.example\.com\/csat\/[\w-]{16,}$/);
    return link!;
  }
  const path = (link: string) => new URL(link).pathname;

  it('serves a form without scripts, stores the answer once, and says so after', async () => {
    const link = await surveyLink();
    const page = await t.app.http.inject({ method: 'GET', url: path(link) });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toMatch(/default-src 'none'/);
    expect(page.body).toContain('<form method="post">');
    expect(page.body).not.toMatch(/<script/i);

    const comment = '<script>alert(1)</script> quick fix, thanks';
    const post = await t.app.http.inject({
      method: 'POST',
      url: path(link),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ rating: '5', comment }).toString(),
    });
    expect(post.statusCode).toBe(200);
    expect(post.body).toContain('Thank you');
    expect(post.body).not.toContain('<script>alert');
    const token = path(link).split('/').pop()!;
    const row = await db()
      .selectFrom('csat_surveys')
      .select(['rating', 'comment'])
      .where('token', '=', token)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ rating: 5, comment });

    const again = await t.app.http.inject({
      method: 'POST',
      url: path(link),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'rating=1',
    });
    expect(again.statusCode).toBe(409);
    const later = await t.app.http.inject({ method: 'GET', url: path(link) });
    expect(later.body).toContain('already been answered');
    const kept = await db()
      .selectFrom('csat_surveys')
      .select('rating')
      .where('token', '=', token)
      .executeTakeFirstOrThrow();
    expect(kept.rating).toBe(5);
  });

  it('of two answers racing, exactly one is stored', async () => {
    const link = await surveyLink();
    const send = (rating: string) =>
      t.app.http.inject({
        method: 'POST',
        url: path(link),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `rating=${rating}`,
      });
    const codes = (await Promise.all([send('2'), send('4')])).map((r) => r.statusCode).sort();
    expect(codes).toEqual([200, 409]);
  });

  it('refuses unknown tokens and ratings outside 1–5', async () => {
    const unknown = await t.app.http.inject({
      method: 'GET',
      url: '/csat/not-a-real-token-at-all',
    });
    expect(unknown.statusCode).toBe(404);
    const link = await surveyLink();
    for (const rating of ['0', '6', 'five', '']) {
      const bad = await t.app.http.inject({
        method: 'POST',
        url: path(link),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: `rating=${rating}`,
      });
      expect([rating, bad.statusCode]).toEqual([rating, 400]);
    }
    const huge = await t.app.http.inject({
      method: 'POST',
      url: path(link),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `rating=3&comment=${'x'.repeat(40_000)}`,
    });
    expect(huge.statusCode).toBe(413);
  });
});
