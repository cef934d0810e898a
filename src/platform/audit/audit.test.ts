import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../../test/support/engines.js';
import { suiteApp } from '../../../test/support/suite.js';
import { careWorld } from '../../cases/test-world.js';
import { audit } from './audit.js';

const SECRET = 'sekret-value-1234567890';
const SECRET2 = 'other-sekret-0987654321';

describe.each(ENGINES)('the audit log on %s', (engine) => {
  const t = suiteApp(engine);
  const { db, api } = careWorld(() => t);
  const tokenId = async () =>
    (await api('GET', '/api/v1/tokens'))
      .json()
      .items.find((i: { name: string }) => i.name === 'test').id;

  it('refuses every update and delete of an entry, in the database itself', async () => {
    const ws = t.app.workspace.workspaceId;
    await audit(db(), {
      workspaceId: ws,
      actor: { type: 'system', id: null },
      action: 'test.kept',
      at: 1,
    });
    await expect(
      db()
        .updateTable('audit_log')
        .set({ action: 'test.changed' })
        .where('action', '=', 'test.kept')
        .execute(),
    ).rejects.toThrow(/append-only/);
    await expect(
      db().deleteFrom('audit_log').where('action', '=', 'test.kept').execute(),
    ).rejects.toThrow(/append-only/);
    await expect(db().deleteFrom('audit_log').execute()).rejects.toThrow(/append-only/);
    if (engine === 'postgres')
      await expect(sql`TRUNCATE audit_log`.execute(db())).rejects.toThrow(/append-only/);
    const kept = await db()
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'test.kept')
      .execute();
    expect(kept).toHaveLength(1);
  });

  it('records sensitive changes, with the acting token, and never their secrets', async () => {
    const made = await api('POST', '/api/v1/integrations', {
      kind: 'webhook',
      name: 'hook',
      config: { url: 'https://hooks.example.com/x' },
      secrets: { secret: SECRET },
    });
    expect(made.statusCode, made.body).toBe(201);
    const integrationId = made.json().id;
    expect(
      (
        await api('PATCH', `/api/v1/integrations/${integrationId}`, {
          secrets: { secret: SECRET2 },
        })
      ).statusCode,
    ).toBe(200);
    expect((await api('DELETE', `/api/v1/integrations/${integrationId}`)).statusCode).toBe(204);
    const user = await api('POST', '/api/v1/users', {
      email: `a-${engine}@example.com`,
      name: 'A',
      role: 'agent',
    });
    const userId = user.json().id;
    expect((await api('PUT', `/api/v1/agents/${userId}`, { capacity: 3 })).statusCode).toBe(200);
    expect((await api('PATCH', `/api/v1/users/${userId}`, { role: 'supervisor' })).statusCode).toBe(
      200,
    );
    expect((await api('PATCH', `/api/v1/users/${userId}`, { disabled: true })).statusCode).toBe(
      200,
    );
    expect((await api('POST', '/api/v1/queues', { name: 'VIP' })).statusCode).toBe(201);
    const cal = await api('POST', '/api/v1/sla/calendars', {
      name: 'c',
      timeZone: 'Europe/Paris',
      hours: { '1': [['09:00', '17:00']] },
    });
    expect(cal.statusCode, cal.body).toBe(201);
    const pol = await api('POST', '/api/v1/sla/policies', {
      name: 'p',
      priority: 'high',
      firstResponseMinutes: 30,
    });
    expect(pol.statusCode, pol.body).toBe(201);
    const tok = (await api('POST', '/api/v1/tokens', { name: 'bot', role: 'agent' })).json();
    expect((await api('DELETE', `/api/v1/tokens/${tok.id}`)).statusCode).toBe(200);
    // A refused change is not a change.
    expect((await api('POST', '/api/v1/queues', { name: '' })).statusCode).toBe(400);

    const log = await api('GET', '/api/v1/audit?limit=500');
    expect(log.statusCode).toBe(200);
    expect(log.body).not.toContain(SECRET);
    expect(log.body).not.toContain(SECRET2);
    expect(log.body).not.toContain(tok.token);
    const items: {
      action: string;
      target: string;
      actor: { type: string; id: string };
      data: Record<string, unknown>;
    }[] = log.json().items;
    // The test's own token was made by the desk (system), before these.
    const byAction = (a: string) => items.filter((i) => i.action === a && i.actor.type === 'token');
    const me = await tokenId();
    for (const a of [
      'integration.created',
      'integration.updated',
      'integration.deleted',
      'agent.updated',
      'queue.created',
      'sla_calendar.created',
      'sla_policy.created',
      'api_token.created',
      'api_token.revoked',
      'user.created',
      'user.role_changed',
      'user.disabled',
    ]) {
      expect(byAction(a), a).toHaveLength(1);
      expect(byAction(a)[0].actor, a).toEqual({ type: 'token', id: me });
    }
    expect(byAction('integration.created')[0].target).toBe(integrationId);
    expect(byAction('integration.updated')[0].data).toMatchObject({ secretsReplaced: ['secret'] });
    expect(byAction('integration.deleted')[0].target).toBe(integrationId);
    expect(byAction('agent.updated')[0]).toMatchObject({
      target: userId,
      data: { fields: ['capacity'] },
    });
    expect(byAction('user.role_changed')[0].data).toEqual({ from: 'agent', to: 'supervisor' });
    expect(items.filter((i) => i.action === 'queue.created')).toHaveLength(1);
  });

  it('filters by action, actor and time, and pages with a cursor', async () => {
    const userOnly = (await api('GET', '/api/v1/audit?action=user.')).json().items;
    expect(userOnly.length).toBeGreaterThanOrEqual(3);
    expect(userOnly.every((i: { action: string }) => i.action.startsWith('user.'))).toBe(true);
    const two = (await api('GET', '/api/v1/audit?action=user.created,user.disabled')).json().items;
    expect(two.map((i: { action: string }) => i.action).sort()).toEqual([
      'user.created',
      'user.disabled',
    ]);
    const mine = (await api('GET', `/api/v1/audit?actor=${await tokenId()}`)).json().items;
    expect(mine.length).toBeGreaterThanOrEqual(12);
    const system = (await api('GET', '/api/v1/audit?actor=system')).json().items;
    expect(system.every((i: { actor: { type: string } }) => i.actor.type === 'system')).toBe(true);
    expect(
      (await api('GET', '/api/v1/audit?until=1970-01-01T00:00:00.002Z')).json().items,
    ).toHaveLength(1);
    expect(
      (
        await api('GET', `/api/v1/audit?since=${new Date(Date.now() + 60_000).toISOString()}`)
      ).json().items,
    ).toEqual([]);
    expect((await api('GET', '/api/v1/audit?since=yesterday')).statusCode).toBe(400);
    const seen: string[] = [];
    let cursor = '';
    for (let i = 0; i < 50; i++) {
      const page = (await api('GET', `/api/v1/audit?limit=4&cursor=${cursor}`)).json();
      seen.push(...page.items.map((x: { id: string }) => x.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    const all = (await api('GET', '/api/v1/audit?limit=500'))
      .json()
      .items.map((x: { id: string }) => x.id);
    expect(seen).toEqual(all);
  });

  it('is for admins only', async () => {
    const agent = (await api('POST', '/api/v1/tokens', { name: 'ag', role: 'supervisor' })).json();
    const res = await t.app.http.inject({
      method: 'GET',
      url: '/api/v1/audit',
      headers: { authorization: `Bearer ${agent.token}` },
    });
    expect(res.statusCode).toBe(403);
  });
});
