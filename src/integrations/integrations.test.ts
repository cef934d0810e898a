import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMessage, asAdmin, caseFromMessage, type TestApp, testApp } from '../../test/builders.js';
import { startFakePagerDuty } from '../../test/fakes/pagerduty.js';
import { startFakeSlack } from '../../test/fakes/slack.js';
import { pagerDutyActions } from './adapters.js';
import { verifyWebhook } from './sign.js';
import { startFakeJiraWorkflow } from './testing/fake-jira-workflow.js';
import { startFake } from './testing/fake-server.js';

/**
 * Escalation out and status back in, against local fake servers that check the documented
 * request formats (Jira REST v3, PagerDuty Events API v2, Slack incoming webhooks, our signed
 * webhook). Storage-independent, so SQLite only.
 */
describe('escalations', () => {
  let t: TestApp;
  const fakes: { close(): Promise<void> }[] = [];
  let jira: Awaited<ReturnType<typeof startFakeJiraWorkflow>>;
  let pd: Awaited<ReturnType<typeof startFakePagerDuty>>;
  let slack: Awaited<ReturnType<typeof startFakeSlack>>;
  let hook: Awaited<ReturnType<typeof startFake>>;
  const ids: Record<string, string> = {};
  let problemId = '';

  beforeAll(async () => {
    t = await testApp('sqlite');
    jira = await startFakeJiraWorkflow();
    pd = await startFakePagerDuty();
    slack = await startFakeSlack();
    hook = await startFake(() => ({ status: 204 }));
    fakes.push(jira, pd, slack, hook);
    const add = async (kind: string, config: unknown, secrets: unknown) => {
      const res = await asAdmin(t, 'POST', '/api/v1/integrations', {
        kind,
        name: kind,
        config,
        secrets,
      });
      expect(res.statusCode, res.body).toBe(201);
      ids[kind] = res.json().id;
    };
    await add(
      'jira',
      { baseUrl: jira.url, projectKey: 'OPS', email: 'bot@example.com' },
      { apiToken: 'jira-token', inboundSecret: 'jira-inbound-secret' },
    );
    await add(
      'pagerduty',
      { eventsUrl: `${pd.url}/v2/enqueue` },
      { routingKey: 'R0UTINGKEY0123456789012345678901', inboundSecret: 'pd-inbound-secret' },
    );
    await add('slack', {}, { webhookUrl: `${slack.url}/services/T000/B000/XXXX` });
    await add(
      'webhook',
      { url: `${hook.url}/hooks/problems` },
      { secret: 'whsec-0123456789abcdef' },
    );
    // A case to make a problem from, by hand.
    const m = aMessage({ text: 'No internet in 94110 since 8am', author: { id: 'esc-1' } });
    const caseId = await caseFromMessage(t, m);
    const res = await asAdmin(t, 'POST', '/api/v1/problems', {
      caseId,
      topic: 'outage',
      title: 'Fibre cut 94110',
    });
    expect(res.statusCode, res.body).toBe(201);
    problemId = res.json().id;
    while ((await t.app.outbox.runOnce(50)) > 0) {}
  });
  afterAll(async () => {
    for (const f of fakes) await f.close();
    await t.close();
  });

  it('creates a Jira issue with Basic auth and an ADF description, and stores its key', async () => {
    // First a search for an issue already made for this problem (a create whose answer was lost).
    const search = new URL(jira.requests[0].path, 'http://x');
    expect(jira.requests[0].method).toBe('GET');
    expect(search.pathname).toBe('/rest/api/3/search/jql');
    expect(search.searchParams.get('jql')).toBe(
      `project = "OPS" AND labels = "throughline-${problemId}"`,
    );
    const r = jira.requests[1];
    expect(r.method).toBe('POST');
    expect(r.path).toBe('/rest/api/3/issue');
    expect(r.headers.authorization).toBe(
      `Basic ${Buffer.from('bot@example.com:jira-token').toString('base64')}`,
    );
    const fields = (r.body as { fields: Record<string, unknown> }).fields;
    expect(fields.project).toEqual({ key: 'OPS' });
    expect(fields.issuetype).toEqual({ name: 'Bug' });
    expect(String(fields.summary)).toContain('Fibre cut 94110');
    expect(fields.description).toMatchObject({ type: 'doc', version: 1 });
    expect(fields.labels).toContain(`throughline-${problemId}`);
    const p = (await asAdmin(t, 'GET', `/api/v1/problems/${problemId}`)).json();
    expect(p.externalRefs.jira).toBe('PROB-1');
  });

  it('triggers a PagerDuty event with routing key, dedup key and payload', () => {
    const b = pd.requests[0].body as Record<string, unknown>;
    expect(b.event_action).toBe('trigger');
    expect(b.routing_key).toBe('R0UTINGKEY0123456789012345678901');
    expect(b.dedup_key).toBe(`throughline-problem-${problemId}`);
    expect(b.payload).toMatchObject({ source: 'throughline', severity: 'error' });
    expect(String((b.payload as { summary: string }).summary)).toContain('Fibre cut');
  });

  it('a PagerDuty escalation sent late follows the problem as it is now, not as it was', () => {
    // In order: trigger, acknowledge, resolve.
    expect(pagerDutyActions('problem.opened', 'confirmed')).toEqual(['trigger']);
    expect(pagerDutyActions('problem.fixing', 'fixing')).toEqual(['acknowledge']);
    // No incident of this integration yet: one is opened first.
    expect(pagerDutyActions('problem.fixing', 'fixing', 'fixing', false)).toEqual([
      'trigger',
      'acknowledge',
    ]);
    expect(pagerDutyActions('problem.fixed', 'fixed', 'fixed', false)).toEqual(['resolve']);
    expect(pagerDutyActions('problem.fixed', 'fixed')).toEqual(['resolve']);
    // A trigger retried after the fix resolves; a resolve retried after a reopening is dropped.
    expect(pagerDutyActions('problem.opened', 'fixed', 'confirmed')).toEqual(['resolve']);
    expect(pagerDutyActions('problem.fixed', 'fixing')).toEqual([]);
    expect(pagerDutyActions('problem.closed', 'confirmed')).toEqual([]);
    expect(pagerDutyActions('problem.updated', 'fixing')).toEqual([]);
  });

  it('posts to the Slack incoming webhook with text and blocks', () => {
    const b = slack.requests[0].body as { text: string; blocks: { type: string }[] };
    expect(slack.requests[0].path).toBe('/services/T000/B000/XXXX');
    expect(b.text).toContain('opened');
    expect(b.blocks[0].type).toBe('section');
  });

  it('signs the outbound webhook (HMAC-SHA256 over timestamp and body)', () => {
    const r = hook.requests[0];
    expect(r.headers['x-throughline-event']).toBe('problem.opened');
    expect(
      verifyWebhook(
        'whsec-0123456789abcdef',
        r.raw,
        String(r.headers['x-throughline-signature']),
        Date.now(),
      ),
    ).toBe(true);
    expect(
      verifyWebhook(
        'wrong-secret-000000',
        r.raw,
        String(r.headers['x-throughline-signature']),
        Date.now(),
      ),
    ).toBe(false);
  });

  it("links every escalation to the problem's API resource, a page that exists", async () => {
    const body = JSON.parse(String(hook.requests[0].raw)) as { problem: { url: string } };
    const path = new URL(body.problem.url).pathname;
    expect(path).toBe(`/api/v1/problems/${problemId}`);
    const res = await t.app.http.inject({ method: 'GET', url: path, headers: t.auth });
    expect(res.statusCode).toBe(200);
  });

  /** PagerDuty's signed v3 webhook about the problem's incident. */
  const pagerDutySays = (eventType: string) => {
    const body = JSON.stringify({
      event: {
        event_type: eventType,
        data: { id: 'Q1', type: 'incident', incident_key: `throughline-problem-${problemId}` },
      },
    });
    const sig = `v1=${createHmac('sha256', 'pd-inbound-secret').update(body).digest('hex')}`;
    return t.app.http.inject({
      method: 'POST',
      url: `/api/v1/integrations/${ids.pagerduty}/pagerduty-webhook`,
      headers: { 'content-type': 'application/json', 'x-pagerduty-signature': sig },
      payload: body,
    });
  };

  it('a Jira "in progress" webhook moves the problem to fixing; a PagerDuty resolve to fixed; both escalate onwards, not back', async () => {
    const body = JSON.stringify({
      webhookEvent: 'jira:issue_updated',
      timestamp: Date.now(),
      changelog: { items: [{ field: 'status', fromString: 'To Do', toString: 'In Progress' }] },
      issue: {
        key: 'PROB-1',
        fields: { status: { name: 'In Progress', statusCategory: { key: 'indeterminate' } } },
      },
    });
    const bad = await t.app.http.inject({
      method: 'POST',
      url: `/api/v1/integrations/${ids.jira}/jira-webhook`,
      headers: { 'content-type': 'application/json', 'x-hub-signature': 'sha256=00' },
      payload: body,
    });
    expect(bad.statusCode).toBe(401);
    const sig = `sha256=${createHmac('sha256', 'jira-inbound-secret').update(body).digest('hex')}`;
    const ok = await t.app.http.inject({
      method: 'POST',
      url: `/api/v1/integrations/${ids.jira}/jira-webhook`,
      headers: { 'content-type': 'application/json', 'x-hub-signature': sig },
      payload: body,
    });
    expect(ok.statusCode, ok.body).toBe(200);
    let p = (await asAdmin(t, 'GET', `/api/v1/problems/${problemId}`)).json();
    expect(p.status).toBe('fixing');
    while ((await t.app.outbox.runOnce(50)) > 0) {}
    expect((pd.requests.at(-1)!.body as { event_action: string }).event_action).toBe('acknowledge');
    expect(jira.requests.at(-1)!.path).toBe('/rest/api/3/issue/PROB-1/comment');

    const res = await pagerDutySays('incident.resolved');
    expect(res.statusCode, res.body).toBe(200);
    p = (await asAdmin(t, 'GET', `/api/v1/problems/${problemId}`)).json();
    expect(p.status).toBe('fixed');
    const paged = pd.requests.length;
    while ((await t.app.outbox.runOnce(50)) > 0) {}
    // PagerDuty resolved the incident itself: nothing goes back to it; Jira hears of the fix.
    expect(pd.requests.length).toBe(paged);
    expect(jira.requests.at(-1)!.path).toBe('/rest/api/3/issue/PROB-1/comment');
    expect(JSON.stringify(jira.requests.at(-1)!.body)).toContain('problem.fixed');
  });

  it('a PagerDuty incident reopened after its resolve puts the problem back to fixing', async () => {
    const before = await t.app.database.db
      .selectFrom('problems')
      .select('status')
      .where('id', '=', problemId)
      .executeTakeFirstOrThrow();
    expect(before.status).toBe('fixed');
    const res = await pagerDutySays('incident.reopened');
    expect(res.statusCode, res.body).toBe(200);
    const after = await t.app.database.db
      .selectFrom('problems')
      .select(['status', 'fixed_at'])
      .where('id', '=', problemId)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ status: 'fixing', fixed_at: null });
  });

  it('a correctly signed webhook whose body is not a JSON object is a 400, and changes nothing', async () => {
    const before = await t.app.database.db
      .selectFrom('problems')
      .select(['status', 'version'])
      .where('id', '=', problemId)
      .executeTakeFirstOrThrow();
    for (const body of ['{"issue": {"key": "PROB-1"', '[1,2]', 'null']) {
      const sig = `sha256=${createHmac('sha256', 'jira-inbound-secret').update(body).digest('hex')}`;
      const res = await t.app.http.inject({
        method: 'POST',
        url: `/api/v1/integrations/${ids.jira}/jira-webhook`,
        headers: { 'content-type': 'application/json', 'x-hub-signature': sig },
        payload: body,
      });
      expect(res.statusCode, `${body}: ${res.body}`).toBe(400);
      expect(res.json().error.code).toBe('bad_request');
    }
    const after = await t.app.database.db
      .selectFrom('problems')
      .select(['status', 'version'])
      .where('id', '=', problemId)
      .executeTakeFirstOrThrow();
    expect(after).toEqual(before);
  });

  it('lists problems in the OpenAPI document', async () => {
    const res = await asAdmin(t, 'GET', '/api/openapi.json');
    const paths = Object.keys(res.json().paths);
    expect(paths).toContain('/api/v1/problems');
    expect(paths).toContain('/api/v1/problems/{id}');
  });
});
