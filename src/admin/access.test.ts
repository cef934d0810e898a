import { describe, expect, it } from 'vitest';
import { logIn } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { hashToken } from '../platform/auth/tokens.js';

describe.each(ENGINES)('users and API tokens on %s', (engine) => {
  const t = suiteApp(engine);
  const db = () => t.app.database.db;
  const call = (
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    headers: Record<string, string>,
    payload?: unknown,
  ) => t.app.http.inject({ method, url, headers, payload: payload as never });
  const asAdmin = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    call(method, url, t.auth, payload);
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const signIn = async (email: string, password: string) => {
    const res = await logIn(t, email, password);
    expect(res.statusCode, res.body).toBe(200);
    const cookie = res.cookies.find((c) => c.name === 'tl_session');
    return { cookie: `tl_session=${cookie?.value}` };
  };

  it('lists tokens without secrets and revokes one at once', async () => {
    const made = await asAdmin('POST', '/api/v1/tokens', { name: 'ci', role: 'agent' });
    expect(made.statusCode, made.body).toBe(201);
    const { id, token } = made.json();
    expect(token).toMatch(/^tl_/);
    expect((await call('GET', '/api/v1/me', bearer(token))).statusCode).toBe(200);
    const list = await asAdmin('GET', '/api/v1/tokens');
    expect(list.statusCode).toBe(200);
    const body = list.body;
    expect(body).not.toContain(token);
    expect(body).not.toContain(hashToken(token));
    const item = list.json().items.find((i: { id: string }) => i.id === id);
    expect(item).toMatchObject({ name: 'ci', role: 'agent', active: true, revokedAt: null });
    expect((await asAdmin('DELETE', `/api/v1/tokens/${id}`)).statusCode).toBe(200);
    expect((await call('GET', '/api/v1/me', bearer(token))).statusCode).toBe(401);
    const after = (await asAdmin('GET', '/api/v1/tokens')).json().items;
    expect(after.find((i: { id: string }) => i.id === id)).toMatchObject({ active: false });
    expect((await asAdmin('DELETE', '/api/v1/tokens/nope')).statusCode).toBe(404);
    // Agents cannot see or revoke tokens.
    const agent = (await asAdmin('POST', '/api/v1/tokens', { name: 'a', role: 'agent' })).json();
    expect((await call('GET', '/api/v1/tokens', bearer(agent.token))).statusCode).toBe(403);
  });

  it('honours an expiry given at creation', async () => {
    const past = await asAdmin('POST', '/api/v1/tokens', {
      name: 'old',
      role: 'agent',
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    expect(past.statusCode).toBe(400);
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const made = await asAdmin('POST', '/api/v1/tokens', {
      name: 'hour',
      role: 'agent',
      expiresAt,
    });
    expect(made.statusCode).toBe(201);
    expect(made.json().expiresAt).toBe(expiresAt);
    expect((await call('GET', '/api/v1/me', bearer(made.json().token))).statusCode).toBe(200);
    // An hour later (moved in storage rather than waited for).
    await db()
      .updateTable('api_tokens')
      .set({ expires_at: Date.now() - 1 })
      .where('id', '=', made.json().id)
      .execute();
    expect((await call('GET', '/api/v1/me', bearer(made.json().token))).statusCode).toBe(401);
  });

  it('records last use, at most one write a minute per token', async () => {
    const { id, token } = (
      await asAdmin('POST', '/api/v1/tokens', { name: 'busy', role: 'agent' })
    ).json();
    const lastUsed = async () =>
      (
        await db()
          .selectFrom('api_tokens')
          .select('last_used_at')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).last_used_at;
    expect(await lastUsed()).toBeNull();
    for (let i = 0; i < 20; i++) await call('GET', '/api/v1/me', bearer(token));
    const first = Number(await lastUsed());
    expect(first).toBeGreaterThan(Date.now() - 60_000);
    // Within the minute, later requests do not write it again.
    await db()
      .updateTable('api_tokens')
      .set({ last_used_at: first - 1000 })
      .where('id', '=', id)
      .execute();
    await call('GET', '/api/v1/me', bearer(token));
    expect(Number(await lastUsed())).toBe(first - 1000);
    // Once it is a minute old, the next request moves it.
    await db()
      .updateTable('api_tokens')
      .set({ last_used_at: first - 61_000 })
      .where('id', '=', id)
      .execute();
    await call('GET', '/api/v1/me', bearer(token));
    expect(Number(await lastUsed())).toBeGreaterThanOrEqual(first);
  });

  it('changes a role and disables a user: sessions and their tokens stop at once', async () => {
    // Another enabled admin, so this one may be disabled (see the last test).
    await asAdmin('POST', '/api/v1/users', {
      email: `keeper-${engine}@example.com`,
      name: 'Keeper',
      role: 'admin',
    });
    const made = await asAdmin('POST', '/api/v1/users', {
      email: `sup-${engine}@example.com`,
      name: 'Sup',
      role: 'agent',
      password: 'correct horse battery',
    });
    expect(made.statusCode, made.body).toBe(201);
    const userId = made.json().id;
    const session = await signIn(`sup-${engine}@example.com`, 'correct horse battery');
    expect((await call('GET', '/api/v1/me', session)).json().role).toBe('agent');
    const promoted = await asAdmin('PATCH', `/api/v1/users/${userId}`, { role: 'admin' });
    expect(promoted.statusCode, promoted.body).toBe(200);
    expect((await call('GET', '/api/v1/me', session)).json().role).toBe('admin');
    // As an admin, the user makes a token, and with it another.
    const own = await call('POST', '/api/v1/tokens', session, { name: 'mine', role: 'admin' });
    expect(own.statusCode).toBe(201);
    const chained = await call('POST', '/api/v1/tokens', bearer(own.json().token), {
      name: 'chained',
      role: 'agent',
    });
    expect(chained.json().createdBy).toBe(userId);
    const disabled = await asAdmin('PATCH', `/api/v1/users/${userId}`, { disabled: true });
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json().disabledAt).not.toBeNull();
    expect((await call('GET', '/api/v1/me', session)).statusCode).toBe(401);
    expect((await call('GET', '/api/v1/me', bearer(own.json().token))).statusCode).toBe(401);
    expect((await call('GET', '/api/v1/me', bearer(chained.json().token))).statusCode).toBe(401);
    const users = (await asAdmin('GET', '/api/v1/users')).json().items;
    expect(users.find((u: { id: string }) => u.id === userId).disabledAt).not.toBeNull();
    expect(JSON.stringify(users)).not.toContain('scrypt');
    // The list says they are stopped, and why: suspended with their owner, not revoked.
    const tokens = async () =>
      (await asAdmin('GET', '/api/v1/tokens'))
        .json()
        .items.filter((i: { createdBy: string }) => i.createdBy === userId);
    const suspended = await tokens();
    expect(suspended).toHaveLength(2);
    for (const item of suspended)
      expect(item).toMatchObject({
        active: false,
        ownerDisabled: true,
        effectiveRole: null,
        revokedAt: null,
      });
    // Enabled again: the tokens work again (the audit counts them), the old session was ended.
    await asAdmin('PATCH', `/api/v1/users/${userId}`, { disabled: false });
    expect((await call('GET', '/api/v1/me', bearer(own.json().token))).statusCode).toBe(200);
    expect((await call('GET', '/api/v1/me', session)).statusCode).toBe(401);
    for (const item of await tokens())
      expect(item).toMatchObject({ active: true, ownerDisabled: false });
    const enabled = await db()
      .selectFrom('audit_log')
      .select('data_json')
      .where('action', '=', 'user.enabled')
      .where('target', '=', userId)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(enabled.data_json)).toEqual({ tokensResumed: 2 });
  });

  it('never leaves the workspace without an enabled admin', async () => {
    const only = await asAdmin('POST', '/api/v1/users', {
      email: `solo-${engine}@example.com`,
      name: 'Solo',
      role: 'admin',
    });
    expect(only.json().oneTimePassword).toEqual(expect.any(String));
    const admins = (await asAdmin('GET', '/api/v1/users'))
      .json()
      .items.filter(
        (u: { role: string; disabledAt: string | null }) => u.role === 'admin' && !u.disabledAt,
      );
    // Demote every admin but the last; the last refuses.
    for (const a of admins.slice(1))
      expect((await asAdmin('PATCH', `/api/v1/users/${a.id}`, { role: 'agent' })).statusCode).toBe(
        200,
      );
    const last = admins[0];
    expect(
      (await asAdmin('PATCH', `/api/v1/users/${last.id}`, { disabled: true })).statusCode,
    ).toBe(409);
    expect((await asAdmin('PATCH', `/api/v1/users/${last.id}`, { role: 'agent' })).statusCode).toBe(
      409,
    );
  });
});
