import { describe, expect, it } from 'vitest';
import { aMessage, asAdmin, signInNew } from '../../test/builders.js';
import { suiteApp } from '../../test/support/suite.js';
import { createApiToken } from '../platform/auth/tokens.js';
import type { TokenRole } from '../platform/db/schema.js';

/**
 * Who may write customer messages into the desk. Any signed-in role could: an agent posted a
 * message as any customer (into any case, or to answer and close their own complaint). Only
 * admins and integrations' tokens may; an integration token may do nothing else.
 */
describe('POST /api/v1/inbound is for integrations and admins', () => {
  const t = suiteApp('sqlite');
  const ws = () => t.app.workspace.workspaceId;
  const bearer = async (role: TokenRole) => {
    const { token } = await createApiToken(t.app.database.db, ws(), `as-${role}`, role);
    return { authorization: `Bearer ${token}` };
  };
  const post = (headers: Record<string, string>) =>
    t.app.http.inject({ method: 'POST', url: '/api/v1/inbound', headers, payload: aMessage() });

  it('refuses agents and supervisors, by token and by session, and stores nothing', async () => {
    const before = await t.app.database.db
      .selectFrom('inbound_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    for (const role of ['agent', 'supervisor'] as const) {
      const res = await post(await bearer(role));
      expect([role, res.statusCode]).toEqual([role, 403]);
      expect(res.json().error.message).toMatch(/admin, integration/);
    }
    const login = await signInNew(t, {
      email: 'agent@example.com',
      password: 'correct horse battery',
    });
    expect(login.statusCode, login.body).toBe(200);
    const cookie = login.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    expect((await post({ cookie })).statusCode).toBe(403);
    const after = await t.app.database.db
      .selectFrom('inbound_events')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('takes messages from an admin and from an integration token', async () => {
    expect((await post(t.auth)).statusCode).toBe(202);
    expect((await post(await bearer('integration'))).statusCode).toBe(202);
  });

  it('an integration token reaches nothing else', async () => {
    const integration = await bearer('integration');
    for (const url of ['/api/v1/cases', '/api/v1/me', '/api/v1/customers/x', '/api/v1/tokens']) {
      const res = await t.app.http.inject({ method: 'GET', url, headers: integration });
      expect([url, res.statusCode]).toEqual([url, 403]);
      expect(res.json().error.message).toMatch(/only submit inbound messages/);
    }
  });

  it('admins make integration tokens; no person can hold the role', async () => {
    const made = await asAdmin(t, 'POST', '/api/v1/tokens', {
      name: 'chat backend',
      role: 'integration',
    });
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json()).toMatchObject({ role: 'integration' });
    const res = await post({ authorization: `Bearer ${made.json().token}` });
    expect(res.statusCode).toBe(202);
    const user = await asAdmin(t, 'POST', '/api/v1/users', {
      email: 'bot@example.com',
      name: 'Bot',
      role: 'integration',
    });
    expect(user.statusCode).toBe(400);
  });
});
