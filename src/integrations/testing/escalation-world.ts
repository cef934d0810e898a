import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import { afterEach, expect } from 'vitest';
import { aMessage, type TestApp, testApp } from '../../../test/builders.js';
import { startFakePagerDuty } from '../../../test/fakes/pagerduty.js';
import type { Config } from '../../config.js';
import { appendInbound } from '../../ingest/inbound.log.js';
import { startFakeJiraWorkflow } from './fake-jira-workflow.js';

/**
 * A desk with escalation targets for the integration tests: one app per test (SQLite or
 * PostgreSQL), fake provider servers, and helpers to raise, change and read problems, send signed
 * status webhooks and read the escalation rows. Call `closeWorldsAfterEach()` in the test file.
 */
export const ROUTING_KEY = 'R0UTINGKEY0123456789012345678901';
/** Fake servers a test started; closed after it. */
export const fakes: { close(): Promise<void> }[] = [];
let t: TestApp | undefined;
export function closeWorldsAfterEach() {
  afterEach(async () => {
    for (const f of fakes.splice(0)) await f.close();
    await t?.close();
    t = undefined;
  });
}

export async function world(
  engine: 'sqlite' | 'postgres' = 'sqlite',
  opts: { config?: Partial<Config>; logger?: Logger } = {},
) {
  const app = await testApp(engine, opts.config, { logger: opts.logger });
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

export type World = Awaited<ReturnType<typeof world>>;

export async function withJira(
  w: World,
  opts: Parameters<typeof startFakeJiraWorkflow>[0] = {},
  config: Record<string, unknown> = {},
) {
  const jira = await startFakeJiraWorkflow(opts);
  fakes.push(jira);
  const id = await w.add(
    'jira',
    { baseUrl: jira.url, projectKey: 'OPS', email: 'bot@example.com', ...config },
    { apiToken: 'jira-token-secret', inboundSecret: 'jira-inbound-secret' },
  );
  const hook = (body: Record<string, unknown>) =>
    w.signed(
      `/api/v1/integrations/${id}/jira-webhook`,
      'x-hub-signature',
      'sha256=',
      'jira-inbound-secret',
      {
        webhookEvent: 'jira:issue_updated',
        ...body,
      },
    );
  return { jira, id, hook };
}

export const jiraIssue = (key: string, cat: string) => ({
  key,
  fields: { status: { name: cat, statusCategory: { key: cat } } },
});
export const toInProgress = {
  items: [{ field: 'status', fromString: 'To Do', toString: 'In Progress' }],
};

/**
 * A PagerDuty integration on the fake Events API, and `say` to send its signed v3 webhook about
 * a problem's incident (`occurredAt`: the provider's time of the event, now by default).
 * `onEvent`: run while the fake holds each valid event, before it answers.
 */
export async function withPagerDuty(w: World, onEvent?: Parameters<typeof startFakePagerDuty>[0]) {
  const pd = await startFakePagerDuty(onEvent);
  fakes.push(pd);
  const pdId = await w.add(
    'pagerduty',
    { eventsUrl: `${pd.url}/v2/enqueue` },
    { routingKey: ROUTING_KEY, inboundSecret: 'pd-inbound-secret' },
  );
  const say = (problemId: string, eventType: string, occurredAt = new Date()) =>
    w.signed(
      `/api/v1/integrations/${pdId}/pagerduty-webhook`,
      'x-pagerduty-signature',
      'v1=',
      'pd-inbound-secret',
      {
        event: {
          event_type: eventType,
          occurred_at: occurredAt.toISOString(),
          data: { id: 'Q1', type: 'incident', incident_key: `throughline-problem-${problemId}` },
        },
      },
    );
  const actions = () => pd.requests.map((r) => (r.body as { event_action: string }).event_action);
  return { pd, id: pdId, say, actions };
}

/**
 * Dates the problem and its history `ms` back, as one raised that long ago: a provider event
 * from a few seconds ago is then no older than anything the desk did.
 */
export async function backdate(w: World, problemId: string, ms: number) {
  const ago = Date.now() - ms;
  await w.db
    .updateTable('problems')
    .set({ created_at: ago, updated_at: ago })
    .where('id', '=', problemId)
    .execute();
  await w.db
    .updateTable('problem_events')
    .set({ created_at: ago, event_at: ago })
    .where('problem_id', '=', problemId)
    .execute();
}
