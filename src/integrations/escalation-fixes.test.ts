import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { aMessage, type TestApp, testApp } from '../../test/builders.js';
import { startFakeJira } from '../../test/fakes/jira.js';
import { startFakePagerDuty } from '../../test/fakes/pagerduty.js';
import { startFakeSlack } from '../../test/fakes/slack.js';
import { appendInbound } from '../ingest/inbound.log.js';
import { verifyHmacHex } from './sign.js';
import { startFake } from './testing/fake-server.js';

/**
 * Escalation out, review findings: status echoes from Jira and PagerDuty, Jira create
 * idempotency, concurrent deliveries on PostgreSQL, Slack escaping, secrets in errors, the fakes'
 * request checks and the webhook signature format.
 */
const ROUTING_KEY = 'R0UTINGKEY0123456789012345678901';
const fakes: { close(): Promise<void> }[] = [];
let t: TestApp | undefined;
afterEach(async () => {
  for (const f of fakes.splice(0)) await f.close();
  await t?.close();
  t = undefined;
});

async function world(engine: 'sqlite' | 'postgres' = 'sqlite') {
  const app = await testApp(engine);
  t = app;
  const db = app.app.database.db;
  const add = async (kind: string, config: unknown, secrets: unknown) => {
    const res = await app.app.http.inject({
      method: 'POST',
      url: '/api/v1/integrations',
      headers: app.auth,
      payload: { kind, name: kind, config, secrets },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };
  const problem = async (title = 'Fibre cut 94110') => {
    const m = aMessage({ text: 'No internet in 94110 since 8am' });
    await appendInbound(db, app.app.workspace.workspaceId, [m], Date.now());
    await app.app.pipeline.drain();
    const c = await db
      .selectFrom('messages')
      .select('case_id')
      .where('external_id', '=', m.externalId)
      .executeTakeFirstOrThrow();
    const res = await app.app.http.inject({
      method: 'POST',
      url: '/api/v1/problems',
      headers: app.auth,
      payload: { caseId: c.case_id, topic: 'outage', title },
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };
  const change = async (id: string, payload: Record<string, unknown>) => {
    const res = await app.app.http.inject({
      method: 'POST',
      url: `/api/v1/problems/${id}/status`,
      headers: app.auth,
      payload,
    });
    expect(res.statusCode, res.body).toBe(200);
  };
  const drain = async () => {
    while ((await app.app.outbox.runOnce(50)) > 0) {}
  };
  const get = async (id: string) =>
    (
      await app.app.http.inject({ method: 'GET', url: `/api/v1/problems/${id}`, headers: app.auth })
    ).json();
  const signed = (url: string, header: string, prefix: string, secret: string, body: unknown) => {
    const raw = JSON.stringify(body);
    return app.app.http.inject({
      method: 'POST',
      url,
      headers: {
        'content-type': 'application/json',
        [header]: `${prefix}${createHmac('sha256', secret).update(raw).digest('hex')}`,
      },
      payload: raw,
    });
  };
  const escalations = () =>
    db
      .selectFrom('outbox')
      .select(['id', 'status', 'attempts', 'last_error', 'payload_json', 'next_attempt_at'])
      .where('kind', '=', 'problem_escalate')
      .orderBy('created_at')
      .orderBy('id')
      .execute();
  return { app, db, add, problem, change, drain, get, signed, escalations };
}

type World = Awaited<ReturnType<typeof world>>;

async function withJira(w: World, opts: Parameters<typeof startFakeJira>[0] = {}) {
  const jira = await startFakeJira(opts);
  fakes.push(jira);
  const id = await w.add(
    'jira',
    { baseUrl: jira.url, projectKey: 'OPS', email: 'bot@example.com' },
    { apiToken: 'jira-token-secret', inboundSecret: 'jira-in' },
  );
  const hook = (body: Record<string, unknown>) =>
    w.signed(`/api/v1/integrations/${id}/jira-webhook`, 'x-hub-signature', 'sha256=', 'jira-in', {
      webhookEvent: 'jira:issue_updated',
      ...body,
    });
  return { jira, id, hook };
}

const jiraIssue = (key: string, cat: string) => ({
  key,
  fields: { status: { name: cat, statusCategory: { key: cat } } },
});
const toInProgress = {
  items: [{ field: 'status', fromString: 'To Do', toString: 'In Progress' }],
};

describe('status webhooks only move a problem on a real, current status change', () => {
  it('Jira: the echo of our own comment (no status change) does not undo a fix', async () => {
    const w = await world();
    const { jira, hook } = await withJira(w);
    const id = await w.problem();
    await w.drain();
    expect((await w.get(id)).externalRefs.jira).toBe('PROB-1');
    await hook({
      timestamp: Date.now(),
      changelog: toInProgress,
      issue: jiraIssue('PROB-1', 'indeterminate'),
    });
    expect((await w.get(id)).status).toBe('fixing');
    await w.change(id, { status: 'fixed' });
    await w.drain();
    expect(jira.requests.at(-1)!.path).toBe('/rest/api/3/issue/PROB-1/comment');
    const res = await hook({
      timestamp: Date.now(),
      issue_event_type_name: 'issue_commented',
      comment: { id: '1' },
      issue: jiraIssue('PROB-1', 'indeterminate'),
    });
    expect(res.statusCode).toBe(200);
    expect((await w.get(id)).status).toBe('fixed');
    // A change of another field is no status news either.
    await hook({
      timestamp: Date.now(),
      changelog: { items: [{ field: 'assignee', fromString: null, toString: 'Ana' }] },
      issue: jiraIssue('PROB-1', 'indeterminate'),
    });
    expect((await w.get(id)).status).toBe('fixed');
  });

  it('Jira: a status change that happened before the last change in Throughline is ignored', async () => {
    const w = await world();
    const { hook } = await withJira(w);
    const id = await w.problem();
    await w.drain();
    const before = Date.now() - 60_000;
    await w.change(id, { status: 'fixed' });
    // Delivered late: the move to In Progress happened a minute before the desk's fix.
    await hook({
      timestamp: before,
      changelog: toInProgress,
      issue: jiraIssue('PROB-1', 'indeterminate'),
    });
    expect((await w.get(id)).status).toBe('fixed');
    // The same change made after the fix does reopen it.
    await hook({
      timestamp: Date.now() + 1000,
      changelog: toInProgress,
      issue: jiraIssue('PROB-1', 'indeterminate'),
    });
    expect((await w.get(id)).status).toBe('fixing');
  });

  async function withPagerDuty(w: World) {
    const pd = await startFakePagerDuty();
    fakes.push(pd);
    const pdId = await w.add(
      'pagerduty',
      { eventsUrl: `${pd.url}/v2/enqueue` },
      { routingKey: ROUTING_KEY, inboundSecret: 'pd-in' },
    );
    const say = (problemId: string, eventType: string, occurredAt = new Date()) =>
      w.signed(
        `/api/v1/integrations/${pdId}/pagerduty-webhook`,
        'x-pagerduty-signature',
        'v1=',
        'pd-in',
        {
          event: {
            event_type: eventType,
            occurred_at: occurredAt.toISOString(),
            data: { id: 'Q1', type: 'incident', incident_key: `throughline-problem-${problemId}` },
          },
        },
      );
    return { pd, say };
  }

  it('PagerDuty: the late echo of our own acknowledge after the fix does not reopen or re-notify', async () => {
    const w = await world();
    const { pd, say } = await withPagerDuty(w);
    const id = await w.problem();
    await w.drain();
    await w.change(id, { status: 'fixing' });
    await w.drain();
    await w.change(id, { status: 'fixed' });
    await w.drain();
    expect(pd.requests.map((r) => (r.body as { event_action: string }).event_action)).toEqual([
      'trigger',
      'acknowledge',
      'resolve',
    ]);
    const updates = async () =>
      (
        await w.db
          .selectFrom('problem_updates')
          .select('status')
          .where('problem_id', '=', id)
          .execute()
      ).length;
    const sent = await updates();
    expect((await say(id, 'incident.acknowledged')).statusCode).toBe(200);
    expect((await w.get(id)).status).toBe('fixed');
    expect((await say(id, 'incident.resolved')).statusCode).toBe(200);
    expect((await w.get(id)).status).toBe('fixed');
    expect(await updates()).toBe(sent);
  });

  it('PagerDuty: an acknowledge before work started moves to fixing; an event older than the last change is ignored; a reopen still reopens', async () => {
    const w = await world();
    const { say } = await withPagerDuty(w);
    const id = await w.problem();
    await w.drain();
    await say(id, 'incident.acknowledged');
    expect((await w.get(id)).status).toBe('fixing');
    await w.change(id, { status: 'fixed' });
    await say(id, 'incident.reopened', new Date(Date.now() - 60_000));
    expect((await w.get(id)).status).toBe('fixed');
    await say(id, 'incident.reopened', new Date(Date.now() + 1000));
    expect((await w.get(id)).status).toBe('fixing');
  });
});

describe('Jira issue creation is idempotent', () => {
  it('a create whose answer is lost is found by its label on retry, not made twice', async () => {
    const w = await world();
    const { jira } = await withJira(w, { loseFirstCreateAnswer: true });
    const id = await w.problem();
    await w.drain();
    const [row] = await w.escalations();
    expect(row.status).toBe('pending');
    expect(row.last_error).toContain('temporary');
    await w.db.updateTable('outbox').set({ next_attempt_at: 0 }).where('id', '=', row.id).execute();
    await w.drain();
    const creates = jira.requests.filter((r) => r.path === '/rest/api/3/issue');
    expect(creates.length).toBe(1);
    expect((await w.get(id)).externalRefs.jira).toBe('PROB-1');
    expect((await w.escalations())[0].status).toBe('delivered');
    // Later events comment on that issue.
    await w.change(id, { status: 'fixing' });
    await w.drain();
    expect(jira.requests.at(-1)!.path).toBe('/rest/api/3/issue/PROB-1/comment');
  });
});

describe('concurrent deliveries (PostgreSQL, several workers)', () => {
  it('two rows for one problem and one Jira make one issue, in order, and keep every ref', async () => {
    const w = await world('postgres');
    const { jira } = await withJira(w, { delayMs: 300 });
    const pd = await startFakePagerDuty();
    fakes.push(pd);
    await w.add('pagerduty', { eventsUrl: `${pd.url}/v2/enqueue` }, { routingKey: ROUTING_KEY });
    const id = await w.problem();
    await w.change(id, { owner: 'network-ops' }); // a second row per integration: problem.updated
    await Promise.all([1, 2, 3, 4].map(() => w.app.app.outbox.runOnce(1)));
    // What was deferred goes out once it is due.
    for (let i = 0; i < 5 && (await w.escalations()).some((r) => r.status === 'pending'); i++) {
      await w.db
        .updateTable('outbox')
        .set({ next_attempt_at: 0 })
        .where('status', '=', 'pending')
        .execute();
      await w.drain();
    }
    const rows = await w.escalations();
    expect(rows.map((r) => r.status)).toEqual(['delivered', 'delivered', 'delivered', 'delivered']);
    // Waiting for the earlier row is not a failed attempt.
    for (const r of rows) expect(Number(r.attempts)).toBeLessThanOrEqual(1);
    const jiraCalls = jira.requests.map(
      (r) => `${r.method} ${new URL(r.path, 'http://x').pathname}`,
    );
    expect(jiraCalls).toEqual([
      'GET /rest/api/3/search/jql',
      'POST /rest/api/3/issue',
      'POST /rest/api/3/issue/PROB-1/comment',
    ]);
    const refs = (await w.get(id)).externalRefs;
    expect(refs).toEqual({ jira: 'PROB-1', pagerduty: `throughline-problem-${id}` });
  });

  it('the PagerDuty and Jira rows of one event, delivered at once, both keep their ref', async () => {
    const w = await world('postgres');
    await withJira(w, { delayMs: 100 });
    const pd = await startFake(async (r) => {
      await new Promise((res) => setTimeout(res, 600));
      return {
        status: 202,
        body: { status: 'success', dedup_key: (r.body as { dedup_key?: string }).dedup_key },
      };
    });
    fakes.push(pd);
    await w.add('pagerduty', { eventsUrl: `${pd.url}/v2/enqueue` }, { routingKey: ROUTING_KEY });
    const id = await w.problem();
    await Promise.all([w.app.app.outbox.runOnce(1), w.app.app.outbox.runOnce(1)]);
    expect((await w.get(id)).externalRefs).toEqual({
      jira: 'PROB-1',
      pagerduty: `throughline-problem-${id}`,
    });
  });

  it('a row waiting for an earlier one keeps its attempts however long it waits', async () => {
    const w = await world();
    const jira = await startFake(() => ({ status: 503, body: { errorMessages: ['down'] } }));
    fakes.push(jira);
    await w.add(
      'jira',
      { baseUrl: jira.url, projectKey: 'OPS', email: 'bot@example.com' },
      { apiToken: 'tok' },
    );
    const id = await w.problem();
    await w.change(id, { owner: 'network-ops' });
    for (let i = 0; i < 10; i++) {
      const rows = await w.escalations();
      // Only the later row is made due: the first stays in its back-off.
      await w.db
        .updateTable('outbox')
        .set({ next_attempt_at: 0 })
        .where('id', '=', rows[1].id)
        .execute();
      await w.app.app.outbox.runOnce(50);
    }
    const [first, second] = await w.escalations();
    expect(first.status).toBe('pending');
    expect(second.status).toBe('pending');
    expect(Number(second.attempts)).toBe(0);
    expect(second.last_error).toContain('waiting for an earlier escalation');
    // Its next look is soon, not after the earlier row's back-off.
    expect(Number(second.next_attempt_at) - Date.now()).toBeLessThanOrEqual(5_000);
  });
});

describe('Slack and error text', () => {
  it('Slack: the top-level text fallback is mrkdwn-escaped like the blocks', async () => {
    const w = await world();
    const slack = await startFakeSlack();
    fakes.push(slack);
    await w.add('slack', {}, { webhookUrl: `${slack.url}/services/T000/B000/XXXXSECRET` });
    await w.problem('Outage <!channel> & <https://evil.example|click>');
    await w.drain();
    const b = slack.requests[0].body as { text: string };
    expect(b.text).not.toContain('<!channel>');
    expect(b.text).toContain('Outage &lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;');
    expect((await w.escalations())[0].status).toBe('delivered');
  });

  it('provider error bodies echoing credentials are scrubbed before the outbox keeps them', async () => {
    const w = await world();
    const echo = await startFake((r) => ({
      status: 400,
      body: { status: 'invalid event', echo: r.body, auth: r.headers.authorization },
    }));
    fakes.push(echo);
    await w.add('pagerduty', { eventsUrl: `${echo.url}/v2/enqueue` }, { routingKey: ROUTING_KEY });
    await w.add(
      'jira',
      { baseUrl: echo.url, projectKey: 'OPS', email: 'bot@example.com' },
      { apiToken: 'jira-token-secret' },
    );
    await w.add('webhook', { url: `${echo.url}/hook` }, { secret: 'whsec-echo-secret-000' });
    await w.problem();
    await w.drain();
    const rows = await w.escalations();
    expect(rows).toHaveLength(3);
    const basic = Buffer.from('bot@example.com:jira-token-secret').toString('base64');
    for (const r of rows) {
      expect(r.status).toBe('failed');
      expect(r.last_error).toContain('rejected 400');
      expect(r.last_error).not.toContain(ROUTING_KEY);
      expect(r.last_error).not.toContain('jira-token-secret');
      expect(r.last_error).not.toContain(basic);
    }
  });
});

describe('the fakes check the documented request format', () => {
  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('Jira: auth, fields and ADF', async () => {
    const jira = await startFakeJira();
    fakes.push(jira);
    const auth = { authorization: `Basic ${Buffer.from('a@b.c:tok').toString('base64')}` };
    const adf = { type: 'doc', version: 1, content: [] };
    const fields = {
      project: { key: 'OPS' },
      summary: 'x',
      issuetype: { name: 'Bug' },
      description: adf,
    };
    expect((await post(`${jira.url}/rest/api/3/issue`, { fields })).status).toBe(401);
    for (const bad of [
      { ...fields, project: undefined },
      { ...fields, summary: 'x'.repeat(256) },
      { ...fields, issuetype: undefined },
      { ...fields, description: 'plain text' },
    ]) {
      const res = await post(`${jira.url}/rest/api/3/issue`, { fields: bad }, auth);
      expect(res.status).toBe(400);
      const j = (await res.json()) as { errorMessages: string[]; errors: Record<string, string> };
      expect(Object.keys(j.errors).length).toBe(1);
    }
    const ok = await post(`${jira.url}/rest/api/3/issue`, { fields }, auth);
    expect(ok.status).toBe(201);
    const key = ((await ok.json()) as { key: string }).key;
    expect(
      (await post(`${jira.url}/rest/api/3/issue/${key}/comment`, { body: 'hi' }, auth)).status,
    ).toBe(400);
    expect(
      (await post(`${jira.url}/rest/api/3/issue/NOPE-9/comment`, { body: adf }, auth)).status,
    ).toBe(404);
    expect(
      (await post(`${jira.url}/rest/api/3/issue/${key}/comment`, { body: adf }, auth)).status,
    ).toBe(201);
  });

  it('PagerDuty: routing key, action, dedup key and trigger payload', async () => {
    const pd = await startFakePagerDuty();
    fakes.push(pd);
    const trigger = {
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'k',
      payload: { summary: 's', source: 'throughline', severity: 'error' },
    };
    expect((await post(`${pd.url}/v2/enqueue`, trigger)).status).toBe(202);
    for (const bad of [
      { ...trigger, routing_key: 'short' },
      { ...trigger, event_action: 'page' },
      { ...trigger, dedup_key: 'k'.repeat(256) },
      { ...trigger, payload: { ...trigger.payload, summary: 's'.repeat(1025) } },
      { ...trigger, payload: { ...trigger.payload, source: undefined } },
      { ...trigger, payload: { ...trigger.payload, severity: 'high' } },
      { routing_key: ROUTING_KEY, event_action: 'resolve' },
    ]) {
      const res = await post(`${pd.url}/v2/enqueue`, bad);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        status: 'invalid event',
        errors: [expect.any(String)],
      });
    }
  });

  it('Slack: a JSON message with text or blocks', async () => {
    const slack = await startFakeSlack();
    fakes.push(slack);
    const url = `${slack.url}/services/T/B/X`;
    expect(await (await post(url, 'not json')).text()).toBe('invalid_payload');
    const empty = await post(url, { username: 'x' });
    expect([empty.status, await empty.text()]).toEqual([400, 'no_text']);
    const ok = await post(url, { text: 'hi' });
    expect([ok.status, await ok.text()]).toEqual([200, 'ok']);
  });
});

describe('signature format', () => {
  it('a valid MAC followed by junk is not a valid signature', () => {
    const raw = Buffer.from('{"a":1}');
    const good = createHmac('sha256', 's').update(raw).digest('hex');
    expect(verifyHmacHex('s', raw, `v1=${good}`, 'v1=')).toBe(true);
    expect(verifyHmacHex('s', raw, `v1=${good.toUpperCase()}`, 'v1=')).toBe(true);
    expect(verifyHmacHex('s', raw, `v1=${good}zz-not-hex`, 'v1=')).toBe(false);
    expect(verifyHmacHex('s', raw, `v1=${good}00`, 'v1=')).toBe(false);
  });
});
