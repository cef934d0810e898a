import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMessage, asAdmin, signInNew, type TestApp, testApp } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { appendInbound } from '../ingest/inbound.log.js';
import { up as hideOldLinks } from '../platform/db/migrations/0019_hide_survey_links.js';
import { newId } from '../platform/ids.js';

/**
 * Agents could answer their own customers' surveys: the survey link, whose token is the only
 * credential an answer needs, was in the case as sent, and the answer endpoints took it from
 * anyone. The desk now keeps the message with `[survey link]`, only the customer's copy holds
 * the token, and an answer carrying a desk sign-in is refused (and audited).
 */
describe.each(ENGINES)('a survey is its customer’s to answer on %s', (engine) => {
  let t: TestApp;
  let agent: { cookie: string };
  let n = 0;
  const db = () => t.app.database.db;
  const api = (method: 'GET' | 'POST', url: string, headers = t.auth) =>
    t.app.http.inject({ method, url, headers });

  beforeAll(async () => {
    t = await testApp(engine, { publicUrl: 'https://desk.example.com' });
    const login = await signInNew(t, {
      email: 'agent@example.com',
      password: 'correct horse battery',
    });
    expect(login.statusCode, login.body).toBe(200);
    const session = login.cookies.find((c) => c.name === 'tl_session');
    agent = { cookie: `tl_session=${session?.value}` };
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Resolves a fresh SMS case: its id, its customer's, and the survey token the customer got. */
  async function resolved() {
    n++;
    const m = aMessage({
      channel: 'sms',
      visibility: 'private',
      author: { id: `+1415555070${n}` },
    });
    await appendInbound(db(), t.app.workspace.workspaceId, [m], Date.now());
    await t.app.pipeline.drain();
    const { case_id, customer_id } = await db()
      .selectFrom('messages')
      .select(['case_id', 'customer_id'])
      .where('external_id', '=', m.externalId)
      .executeTakeFirstOrThrow();
    const res = await asAdmin(t, 'PATCH', `/api/v1/cases/${case_id}`, {
      status: 'resolved',
      reason: 'fixed',
    });
    expect(res.statusCode, res.body).toBe(200);
    const { token } = await db()
      .selectFrom('csat_surveys')
      .select('token')
      .where('case_id', '=', case_id!)
      .executeTakeFirstOrThrow();
    return { caseId: case_id!, customerId: customer_id, token };
  }

  it('the desk shows the survey without its link; the customer is sent the link', async () => {
    const { caseId, customerId, token } = await resolved();
    const view = await api('GET', `/api/v1/cases/${caseId}`);
    expect(view.statusCode).toBe(200);
    const out = view.json().messages.filter((m: { direction: string }) => m.direction === 'out');
    expect(out.at(-1).text).toBe('How did we do? Rate us from 1 to 5: [survey link]');
    expect(view.body).not.toContain(token);
    const timeline = await api('GET', `/api/v1/customers/${customerId}/timeline`);
    expect(timeline.statusCode).toBe(200);
    expect(timeline.body).toContain('[survey link]');
    expect(timeline.body).not.toContain(token);
    const found = await api('GET', `/api/v1/cases?q=${token}`);
    expect(found.json().items).toEqual([]);
    const exported = await api('GET', `/api/v1/customers/${customerId}/export`);
    expect(exported.statusCode).toBe(200);
    expect(exported.body).not.toContain(token);
    // What goes to the customer holds the link.
    const sent = await db()
      .selectFrom('outbox')
      .select('payload_json')
      .where('kind', '=', 'send_message')
      .where('payload_json', 'like', `%${caseId}%`)
      .execute();
    expect(sent.map((s) => JSON.parse(s.payload_json).text)).toEqual([
      `How did we do? Rate us from 1 to 5: https://desk.example.com/csat/${token}`,
    ]);
  });

  it('an answer with a desk sign-in is refused and recorded; the customer’s is taken', async () => {
    const { token } = await resolved();
    const answer = (headers: Record<string, string>) =>
      t.app.http.inject({
        method: 'POST',
        url: `/api/v1/csat/${token}`,
        headers,
        payload: { rating: 5 },
      });
    const bySession = await answer(agent);
    expect(bySession.statusCode).toBe(403);
    expect(bySession.json().error.message).toMatch(/answered by its customer/);
    expect((await answer(t.auth)).statusCode).toBe(403);
    // A stale or forged sign-in is still the desk's.
    expect((await answer({ authorization: 'Bearer tl_forged' })).statusCode).toBe(403);
    const page = (method: 'GET' | 'POST', headers: Record<string, string>) =>
      t.app.http.inject({
        method,
        url: `/csat/${token}`,
        headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' },
        payload: method === 'POST' ? 'rating=5' : undefined,
      });
    const shown = await page('GET', agent);
    expect(shown.statusCode).toBe(403);
    expect(shown.body).not.toContain('<form');
    expect((await page('POST', agent)).statusCode).toBe(403);
    const survey = await db()
      .selectFrom('csat_surveys')
      .select(['id', 'rating'])
      .where('token', '=', token)
      .executeTakeFirstOrThrow();
    expect(survey.rating).toBeNull();
    const refused = await db()
      .selectFrom('audit_log')
      .select(['actor_type', 'target', 'data_json'])
      .where('action', '=', 'csat.answer_refused')
      .execute();
    expect(refused.map((r) => [r.actor_type, r.target, JSON.parse(r.data_json).via])).toEqual([
      ['user', survey.id, 'api'],
      ['token', survey.id, 'api'],
      ['user', survey.id, 'page'],
    ]);
    // The customer, with no desk sign-in, answers.
    expect((await answer({})).statusCode).toBe(200);
    expect((await page('GET', {})).body).toContain('already been answered');
  });

  it('survey links the desk stored before are hidden by the migration', async () => {
    const { caseId, customerId } = await resolved();
    const old =
      'How did we do? Rate us from 1 to 5: https://desk.example.com/csat/OldToken_0123456789ab';
    const id = newId();
    await db()
      .insertInto('messages')
      .values({
        id,
        workspace_id: t.app.workspace.workspaceId,
        case_id: caseId,
        customer_id: customerId,
        channel: 'sms',
        channel_id: null,
        external_id: `tl-${id}`,
        direction: 'out',
        visibility: 'private',
        author_address: 'user:x',
        author_name: 'x',
        text: old,
        sent_at: Date.now(),
        received_at: Date.now(),
        in_reply_to: null,
        conversation_id: null,
        language: null,
        attachments_json: '[]',
        triage_json: null,
        raw_json: null,
        status: 'sent',
        user_id: null,
        deleted_at: null,
        unsolicited: 0,
      })
      .execute();
    await hideOldLinks(db() as never);
    const row = await db()
      .selectFrom('messages')
      .select('text')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.text).toBe('How did we do? Rate us from 1 to 5: [survey link]');
  });
});
