import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { createApiToken } from '../platform/auth/tokens.js';
import { closeWorldsAfterEach, ROUTING_KEY, world } from './testing/escalation-world.js';

/** Adding, changing and removing escalation targets: each kind's fields are checked. */
closeWorldsAfterEach();

const post = (w: Awaited<ReturnType<typeof world>>, payload: object) =>
  w.app.app.http.inject({
    method: 'POST',
    url: '/api/v1/integrations',
    headers: w.app.auth,
    payload: { name: 'x', ...payload },
  });

describe('integration config and secrets are checked per kind', () => {
  it('refuses a target that could not deliver, naming the field', async () => {
    const w = await world();
    const cases: [object, string][] = [
      [{ kind: 'jira', config: {}, secrets: { apiToken: 't' } }, 'config.baseUrl'],
      [
        {
          kind: 'jira',
          config: { baseUrl: 'https://x.atlassian.net', projectKey: 'OPS' },
          secrets: { apiToken: 't' },
        },
        'config.email',
      ],
      [
        { kind: 'webhook', config: { url: 'not a url' }, secrets: { secret: 'short' } },
        'config.url',
      ],
      [
        {
          kind: 'webhook',
          config: { url: 'ftp://x.example/h' },
          secrets: { secret: 'x'.repeat(20) },
        },
        'config.url',
      ],
      [
        { kind: 'webhook', config: { url: 'https://x.example/h' }, secrets: { secret: 'short' } },
        'secrets.secret',
      ],
      [{ kind: 'pagerduty', config: {}, secrets: { routingKey: 5 } }, 'secrets.routingKey'],
      [
        {
          kind: 'pagerduty',
          config: {},
          secrets: { routingKey: ROUTING_KEY, inboundSecret: 'pd' },
        },
        'secrets.inboundSecret',
      ],
      [{ kind: 'slack', config: {}, secrets: { webhookUrl: 'nope' } }, 'secrets.webhookUrl'],
      [
        { kind: 'slack', config: {}, secrets: { webhookUrl: 'https://h.example/x', x: 'y' } },
        'secrets.x',
      ],
    ];
    for (const [payload, field] of cases) {
      const res = await post(w, payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.message).toContain(field);
    }
    expect((await w.db.selectFrom('integrations').select('id').execute()).length).toBe(0);
  });

  it('config may be left out where a kind needs none; its required fields are still checked', async () => {
    const w = await world();
    const slack = await post(w, {
      kind: 'slack',
      secrets: { webhookUrl: 'https://hooks.slack.example/services/T0/B0/x' },
    });
    expect(slack.statusCode, slack.body).toBe(201);
    expect(slack.json()).toMatchObject({ kind: 'slack', config: {}, enabled: true });
    const pd = await post(w, { kind: 'pagerduty', secrets: { routingKey: ROUTING_KEY } });
    expect(pd.statusCode, pd.body).toBe(201);
    expect(pd.json().config).toEqual({});
    const stored = await w.db.selectFrom('integrations').select('config_json').execute();
    expect(stored.map((r) => r.config_json)).toEqual(['{}', '{}']);
    // A kind whose config has required fields names the first one missing.
    for (const [kind, secrets, field] of [
      ['webhook', { secret: 'whsec-0123456789abcdef' }, 'config.url is required'],
      ['jira', { apiToken: 't' }, 'config.baseUrl is required'],
    ] as const) {
      const res = await post(w, { kind, secrets });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json().error.message).toBe(field);
    }
  });

  it('PATCH changes name, enabled, config and secrets (checked whole, never shown); DELETE removes', async () => {
    const w = await world();
    const id = await w.add(
      'webhook',
      { url: 'https://hooks.example/a' },
      { secret: 'whsec-0123456789abcdef' },
    );
    const patch = (payload: Record<string, unknown>, headers = w.app.auth) =>
      w.app.app.http.inject({
        method: 'PATCH',
        url: `/api/v1/integrations/${id}`,
        headers,
        payload,
      });
    const bad = await patch({ config: { url: 'nope' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toContain('config.url');
    const ok = await patch({
      name: 'ops hook',
      enabled: false,
      config: { url: 'https://hooks.example/b' },
      secrets: { secret: 'whsec-rotated-0123456789' },
    });
    expect(ok.statusCode, ok.body).toBe(200);
    expect(ok.json()).toEqual({
      id,
      kind: 'webhook',
      name: 'ops hook',
      config: { url: 'https://hooks.example/b' },
      enabled: false,
    });
    expect(ok.body).not.toContain('whsec');
    // Disabled: a problem event queues nothing for it.
    await w.problem();
    expect(await w.escalations()).toHaveLength(0);
    expect((await patch({ enabled: true })).json().enabled).toBe(true);

    const { token } = await createApiToken(w.db, w.app.app.workspace.workspaceId, 'agent', 'agent');
    const agent = { authorization: `Bearer ${token}` };
    expect((await patch({ enabled: false }, agent)).statusCode).toBe(403);
    const del = (headers: Record<string, string>) =>
      w.app.app.http.inject({ method: 'DELETE', url: `/api/v1/integrations/${id}`, headers });
    expect((await del(agent)).statusCode).toBe(403);
    expect((await del(w.app.auth)).statusCode).toBe(204);
    expect((await del(w.app.auth)).statusCode).toBe(404);
    expect((await patch({ enabled: true })).statusCode).toBe(404);
  });
});

/**
 * `config.events` names the problem events a target gets. A misspelt or invented name
 * (`problem.fixd`, `problem.resolved`) was stored and matched no event, so the target silently
 * never heard of them: it is a 400 naming it and the events there are, and nothing is stored.
 */
describe.each(ENGINES)('integration event names on %s', (engine) => {
  it('refuses unknown event names, on POST and PATCH, naming them and the known ones', async () => {
    const w = await world(engine);
    const webhook = (events: unknown) => ({
      kind: 'webhook',
      config: { url: 'https://hooks.example/h', events },
      secrets: { secret: 'x'.repeat(20) },
    });
    for (const events of [['problem.opened', 'problem.fixd'], ['problem.resolved'], ['opened']]) {
      const res = await post(w, webhook(events));
      expect(res.statusCode, res.body).toBe(400);
      const { message } = res.json().error;
      expect(message).toContain('config.events');
      for (const bad of events.filter((e) => e !== 'problem.opened'))
        expect(message).toContain(`"${bad}"`);
      expect(message).toContain('problem.opened, problem.confirmed, problem.fixing');
      expect(message).toContain('problem.updated');
    }
    expect((await post(w, webhook('problem.opened'))).statusCode).toBe(400);
    expect(await w.db.selectFrom('integrations').select('id').execute()).toEqual([]);

    const made = await post(w, webhook(['problem.opened', 'problem.fixed']));
    expect(made.statusCode, made.body).toBe(201);
    const slack = await post(w, {
      kind: 'slack',
      config: { events: ['problem.confirmed'] },
      secrets: { webhookUrl: 'https://hooks.slack.example/services/T0/B0/x' },
    });
    expect(slack.statusCode, slack.body).toBe(201);
    const patched = await w.app.app.http.inject({
      method: 'PATCH',
      url: `/api/v1/integrations/${made.json().id}`,
      headers: w.app.auth,
      payload: { config: { events: ['problem.fixed', 'problem.verifed'] } },
    });
    expect(patched.statusCode, patched.body).toBe(400);
    expect(patched.json().error.message).toContain('"problem.verifed"');
    const row = await w.db
      .selectFrom('integrations')
      .select('config_json')
      .where('id', '=', made.json().id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(row.config_json).events).toEqual(['problem.opened', 'problem.fixed']);
  });
});
