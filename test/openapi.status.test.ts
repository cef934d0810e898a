import { createHmac } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { aMessage, caseIdOf, ingestNow } from './builders.js';
import { ENGINES } from './support/engines.js';
import { suiteApp } from './support/suite.js';

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
interface Operation {
  responses?: Record<string, unknown>;
}

/**
 * The OpenAPI document (`GET /api/openapi.json`) must declare the status codes the routes really
 * answer: a client generated from it treats an undeclared code as an error. Each call here names
 * the documented path (`{id}` filled from `params`), and its answer's code is looked up in that
 * operation's `responses`; the last test lists every answer the document did not declare. The
 * calls cover creates (201), deletes (204), version conflicts (409) and refusals (422).
 */
describe.each(ENGINES)('the OpenAPI document declares the codes routes answer, on %s', (engine) => {
  const t = suiteApp(engine);
  let doc: { paths: Record<string, Record<string, Operation>> };
  const answered: { op: string; status: number }[] = [];

  /** Calls `path` (OpenAPI form) as the admin and records the answer's code against it. */
  const call = async (
    method: Method,
    path: string,
    params: Record<string, string> = {},
    payload?: unknown,
    headers: Record<string, string> = t.auth,
  ) => {
    const url = path.replace(/\{(\w+)\}/g, (_, k: string) => encodeURIComponent(params[k]));
    const res = await t.app.http.inject({
      method,
      url,
      headers,
      ...(payload === undefined ? {} : { payload: payload as never }),
    });
    answered.push({ op: `${method} ${path.split('?')[0]}`, status: res.statusCode });
    return res;
  };
  const declared = (op: string, status: number) => {
    const [method, path] = op.split(' ');
    const responses = doc.paths[path]?.[method.toLowerCase()]?.responses ?? {};
    return String(status) in responses || `${String(status)[0]}XX` in responses;
  };

  let caseId: string;
  let customerId: string;
  beforeAll(async () => {
    doc = (await t.app.http.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    // An `api` case: the desk has no outbound URL for it, so a reply is refused (422).
    const m = aMessage({ text: 'The app will not load since the update' });
    await ingestNow(t, m);
    caseId = await caseIdOf(t.app.database.db, m.externalId);
    const c = await t.app.database.db
      .selectFrom('cases')
      .select('customer_id')
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow();
    customerId = c.customer_id;
  });

  it('cases: a note is created (201), a stale version is a 409, a refused reply a 422', async () => {
    const note = await call('POST', '/api/v1/cases/{id}/notes', { id: caseId }, { body: 'seen' });
    expect(note.statusCode, note.body).toBe(201);
    const stale = await call(
      'PATCH',
      '/api/v1/cases/{id}',
      { id: caseId },
      { priority: 'high', expectedVersion: 0 },
    );
    expect(stale.statusCode, stale.body).toBe(409);
    const reply = await call('POST', '/api/v1/cases/{id}/replies', { id: caseId }, { text: 'Hi' });
    expect(reply.statusCode, reply.body).toBe(422);
    expect(reply.json().error.code).toBe('not_configured');
    expect((await call('GET', '/api/v1/cases/{id}', { id: 'nope' })).statusCode).toBe(404);
  });

  it('macros: created (201); applied (200), refused (422) or stale (409)', async () => {
    const canned = await call('POST', '/api/v1/canned-replies', {}, { name: 'c', body: 'Hello' });
    expect(canned.statusCode, canned.body).toBe(201);
    const noting = await call(
      'POST',
      '/api/v1/macros',
      {},
      { name: 'n', actions: [{ type: 'note', body: 'triaged' }] },
    );
    expect(noting.statusCode, noting.body).toBe(201);
    const replying = await call(
      'POST',
      '/api/v1/macros',
      {},
      { name: 'r', actions: [{ type: 'reply', text: 'We are on it' }] },
    );
    const raising = await call(
      'POST',
      '/api/v1/macros',
      {},
      { name: 'p', actions: [{ type: 'priority', priority: 'high' }] },
    );
    const apply = '/api/v1/cases/{id}/macros/{macroId}';
    const used = await call('POST', apply, { id: caseId, macroId: noting.json().id }, {});
    expect(used.statusCode, used.body).toBe(200);
    const refused = await call('POST', apply, { id: caseId, macroId: replying.json().id }, {});
    expect(refused.statusCode, refused.body).toBe(422);
    const stale = await call(
      'POST',
      apply,
      { id: caseId, macroId: raising.json().id },
      { expectedVersion: 0 },
    );
    expect(stale.statusCode, stale.body).toBe(409);
  });

  it('customers: an identity is added (201)', async () => {
    const added = await call(
      'POST',
      '/api/v1/customers/{id}/identities',
      { id: customerId },
      { channel: 'email', address: `contract-${engine}@example.org`, verified: false },
    );
    expect(added.statusCode, added.body).toBe(201);
  });

  it('routing, SLA, promises, access: created (201) and deleted (204)', async () => {
    const queue = await call('POST', '/api/v1/queues', {}, { name: 'Contract desk' });
    expect(queue.statusCode, queue.body).toBe(201);
    const rule = await call(
      'POST',
      '/api/v1/routing-rules',
      {},
      { name: 'sms', queueId: queue.json().id, conditions: { channel: ['sms'] } },
    );
    expect(rule.statusCode, rule.body).toBe(201);
    const gone = await call('DELETE', '/api/v1/routing-rules/{id}', { id: rule.json().id });
    expect(gone.statusCode, gone.body).toBe(204);
    const cal = await call(
      'POST',
      '/api/v1/sla/calendars',
      {},
      { name: 'weekdays', timeZone: 'UTC', hours: { '1': [['09:00', '17:00']] } },
    );
    expect(cal.statusCode, cal.body).toBe(201);
    const calGone = await call('DELETE', '/api/v1/sla/calendars/{id}', { id: cal.json().id });
    expect(calGone.statusCode, calGone.body).toBe(204);
    const promise = await call(
      'POST',
      '/api/v1/cases/{id}/promises',
      { id: caseId },
      {
        kind: 'follow_up',
        description: 'Call back',
        dueAt: new Date(Date.now() + 3_600_000).toISOString(),
      },
    );
    expect(promise.statusCode, promise.body).toBe(201);
    const token = await call('POST', '/api/v1/tokens', {}, { name: 'ci', role: 'agent' });
    expect(token.statusCode, token.body).toBe(201);
    const user = {
      email: `contract-${engine}@desk.test`,
      name: 'Contract',
      role: 'agent',
      password: 'a-long-password',
    };
    const made = await call('POST', '/api/v1/users', {}, user);
    expect(made.statusCode, made.body).toBe(201);
    const again = await call('POST', '/api/v1/users', {}, user);
    expect(again.statusCode, again.body).toBe(409);
  });

  it('integrations: created (201) and deleted (204)', async () => {
    const made = await call(
      'POST',
      '/api/v1/integrations',
      {},
      { kind: 'slack', name: 'ops', secrets: { webhookUrl: 'https://hooks.slack.example/x' } },
    );
    expect(made.statusCode, made.body).toBe(201);
    const gone = await call('DELETE', '/api/v1/integrations/{id}', { id: made.json().id });
    expect(gone.statusCode, gone.body).toBe(204);
  });

  it('status webhooks: a bad signature, an unknown id (401); a survey with a desk sign-in (403)', async () => {
    const made = await call(
      'POST',
      '/api/v1/integrations',
      {},
      {
        kind: 'jira',
        name: 'tracker',
        config: {
          baseUrl: 'https://jira.example',
          projectKey: 'OPS',
          email: 'desk@example.org',
        },
        secrets: { apiToken: 'jira-api-token', inboundSecret: 'jira-inbound-secret' },
      },
    );
    expect(made.statusCode, made.body).toBe(201);
    const id = made.json().id as string;
    const payload = JSON.stringify({ timestamp: Date.now() });
    const json = { 'content-type': 'application/json' };
    const jira = '/api/v1/integrations/{id}/jira-webhook';
    const badSig = await call('POST', jira, { id }, payload, {
      ...json,
      'x-hub-signature': `sha256=${'0'.repeat(64)}`,
    });
    expect(badSig.statusCode, badSig.body).toBe(401);
    const unknown = await call('POST', jira, { id: 'nope' }, payload, json);
    expect(unknown.statusCode, unknown.body).toBe(401);
    const pd = '/api/v1/integrations/{id}/pagerduty-webhook';
    const unsigned = await call('POST', pd, { id }, payload, json);
    expect(unsigned.statusCode, unsigned.body).toBe(401);
    // The survey's token is its only credential; the desk's own sign-in is refused.
    const survey = await call(
      'POST',
      '/api/v1/csat/{token}',
      { token: 'a-survey-token' },
      {
        rating: 5,
      },
    );
    expect(survey.statusCode, survey.body).toBe(403);
    const page = await call('GET', '/csat/{token}', { token: 'a-survey-token' });
    expect(page.statusCode, page.body).toBe(403);
    // An unknown id answers as a bad signature does: the webhooks do not document it as a 404.
    for (const path of [jira, pd]) {
      const responses = doc.paths[path]?.post?.responses ?? {};
      expect(String((responses['404'] as { description?: string })?.description)).not.toMatch(
        /no such resource/,
      );
    }
  });

  it('problems: created (201); linking an erased customer’s case is refused (422)', async () => {
    const made = await call('POST', '/api/v1/problems', {}, { caseId, topic: 'other' });
    expect(made.statusCode, made.body).toBe(201);
    const m = aMessage({ text: 'The app crashes at start, since this morning' });
    await ingestNow(t, m);
    const other = await caseIdOf(t.app.database.db, m.externalId);
    const { customer_id } = await t.app.database.db
      .selectFrom('cases')
      .select('customer_id')
      .where('id', '=', other)
      .executeTakeFirstOrThrow();
    const erased = await call(
      'POST',
      '/api/v1/customers/{id}/erase',
      { id: customer_id },
      { confirm: true },
    );
    expect(erased.statusCode, erased.body).toBe(200);
    const link = await call(
      'POST',
      '/api/v1/problems/{id}/links',
      { id: made.json().id },
      { link: [other] },
    );
    expect(link.statusCode, link.body).toBe(422);
  });

  it('provider webhooks: unsigned (403), unknown channel (404), not JSON (400), wrong type (415)', async () => {
    const channel = async (body: unknown) => {
      const res = await call('POST', '/api/v1/channels', {}, body);
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    };
    const x = await channel({
      kind: 'x',
      name: 'X',
      config: { accountId: '835740314006511618' },
      secrets: { consumerSecret: 'x-consumer-secret' },
    });
    const meta = await channel({
      kind: 'meta',
      name: 'Meta',
      config: { pageId: '1234567890' },
      secrets: { appSecret: 'meta-app-secret', verifyToken: 'meta-verify', pageAccessToken: 'p' },
    });
    const sms = await channel({
      kind: 'sms',
      name: 'SMS',
      config: { accountSid: `AC${'1'.repeat(32)}`, from: '+12028831111' },
      secrets: { authToken: 'twilio-auth-token' },
    });
    const json = { 'content-type': 'application/json' };
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const expectCode = async (p: Promise<{ statusCode: number; body: string }>, code: number) => {
      const res = await p;
      expect(res.statusCode, res.body).toBe(code);
    };
    const xPath = '/webhooks/x/{channelId}';
    const metaPath = '/webhooks/meta/{channelId}';
    const smsPath = '/webhooks/sms/{channelId}';
    await expectCode(call('POST', xPath, { channelId: x }, '{}', json), 403);
    await expectCode(call('POST', xPath, { channelId: 'nope' }, '{}', json), 404);
    await expectCode(call('POST', xPath, { channelId: x }, 'a=1', form), 415);
    await expectCode(call('GET', `${xPath}?crc_token=abc`, { channelId: 'nope' }), 404);
    await expectCode(call('POST', metaPath, { channelId: meta }, '{}', json), 403);
    // Signed as Meta signs (HMAC-SHA256 of the raw body), but cut short: not JSON.
    const cut = '{"object":"page","entry":[';
    const signature = `sha256=${createHmac('sha256', 'meta-app-secret').update(cut).digest('hex')}`;
    await expectCode(
      call('POST', metaPath, { channelId: meta }, cut, {
        ...json,
        'x-hub-signature-256': signature,
      }),
      400,
    );
    await expectCode(call('GET', `${metaPath}?hub.mode=subscribe`, { channelId: meta }), 400);
    await expectCode(
      call('GET', `${metaPath}?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1`, {
        channelId: meta,
      }),
      403,
    );
    await expectCode(call('POST', smsPath, { channelId: sms }, 'Body=hi', form), 403);
    await expectCode(call('POST', smsPath, { channelId: 'nope' }, 'Body=hi', form), 404);
  });

  it('a body too large (413) or not JSON (415)', async () => {
    const big = await call(
      'POST',
      '/api/v1/problems',
      {},
      { caseId, title: 'x'.repeat(3_000_000) },
    );
    expect(big.statusCode).toBe(413);
    const text = await call('POST', '/api/v1/cases/{id}/notes', { id: caseId }, 'a note', {
      ...t.auth,
      'content-type': 'text/plain',
    });
    expect(text.statusCode).toBe(415);
  });

  it('declares every code answered above', () => {
    expect(answered.length).toBeGreaterThan(20);
    const undeclared = answered
      .filter((a) => !declared(a.op, a.status))
      .map((a) => `${a.op} answered ${a.status}`);
    expect([...new Set(undeclared)]).toEqual([]);
  });
});
