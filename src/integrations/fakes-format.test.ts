import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startFakeJira } from '../../test/fakes/jira.js';
import { startFakePagerDuty } from '../../test/fakes/pagerduty.js';
import { startFakeSlack } from '../../test/fakes/slack.js';
import { verifyHmacHex } from './sign.js';
import { closeWorldsAfterEach, fakes, ROUTING_KEY } from './testing/escalation-world.js';
import { startFakeJiraWorkflow } from './testing/fake-jira-workflow.js';

/** The fake providers check the documented request formats; signatures are exactly 64 hex digits. */
closeWorldsAfterEach();

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

  it('Jira workflow: issue status, transitions listed and posted as documented', async () => {
    const jira = await startFakeJiraWorkflow();
    fakes.push(jira);
    const auth = { authorization: `Basic ${Buffer.from('a@b.c:tok').toString('base64')}` };
    const fields = {
      project: { key: 'OPS' },
      summary: 'x',
      issuetype: { name: 'Bug' },
    };
    const key = (
      (await (await post(`${jira.url}/rest/api/3/issue`, { fields }, auth)).json()) as {
        key: string;
      }
    ).key;
    const get = (path: string) => fetch(`${jira.url}${path}`, { headers: auth });
    const issue = (await (await get(`/rest/api/3/issue/${key}?fields=status`)).json()) as {
      fields: { status: { name: string; statusCategory: { key: string } } };
    };
    expect(issue.fields.status).toMatchObject({ name: 'To Do', statusCategory: { key: 'new' } });
    const listed = (await (await get(`/rest/api/3/issue/${key}/transitions`)).json()) as {
      transitions: { id: string; to: { statusCategory: { key: string } } }[];
    };
    expect(listed.transitions.map((t) => t.to.statusCategory.key)).toEqual([
      'indeterminate',
      'done',
    ]);
    const url = `${jira.url}/rest/api/3/issue/${key}/transitions`;
    expect((await post(url, { transition: { id: '31' } })).status).toBe(401);
    expect((await post(url, { id: '31' }, auth)).status).toBe(400);
    expect((await post(url, { transition: { id: '11' } }, auth)).status).toBe(400); // to its own
    expect(
      (
        await post(
          `${jira.url}/rest/api/3/issue/NOPE-1/transitions`,
          { transition: { id: '31' } },
          auth,
        )
      ).status,
    ).toBe(404);
    expect((await post(url, { transition: { id: '31' } }, auth)).status).toBe(204);
    expect(jira.statusOf(key)).toBe('Done');
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
