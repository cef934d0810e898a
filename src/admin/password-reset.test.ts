import { describe, expect, it } from 'vitest';
import { logIn, sessionCookie } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { captureLogs } from '../../test/support/logs.js';
import { suiteApp } from '../../test/support/suite.js';
import { hashPassword } from '../platform/auth/passwords.js';
import { createUser } from '../platform/auth/users.js';

/**
 * An admin resets someone's password (the demo's agents have one nobody is told): the answer holds
 * a one-time password, which opens only the change of password; the old password and sessions end.
 */
describe.each(ENGINES)('password reset by an admin on %s', (engine) => {
  // Every request logged (info), to check the one-time password is in no log line.
  const logs = captureLogs('info');
  const t = suiteApp(engine, {}, { logger: logs.logger });
  const db = () => t.app.database.db;
  const ws = () => t.app.workspace.workspaceId;
  type Method = 'GET' | 'POST' | 'PATCH';
  const call = (method: Method, url: string, headers: Record<string, string>, payload?: unknown) =>
    t.app.http.inject({ method, url, headers, payload: payload as never });
  const reset = (id: string, headers: Record<string, string> = t.auth) =>
    call('POST', `/api/v1/users/${id}/password-reset`, headers);
  const signIn = async (email: string, password: string) => {
    const res = await logIn(t, email, password);
    expect(res.statusCode, res.body).toBe(200);
    return { res, cookie: { cookie: sessionCookie(res) } };
  };

  it('issues a one-time password that must be changed at the first sign-in', async () => {
    // As the demo makes its agents: a shared hash of a secret nobody is told, flagged one-time.
    const unseen = await hashPassword('nobody-knows-this-1');
    const email = `dana-${engine}@kestrel.example`;
    const { id } = await createUser(db(), {
      workspaceId: ws(),
      email,
      name: 'Dana Reyes',
      role: 'agent',
      password: '',
      passwordHash: unseen,
      mustChangePassword: true,
    });
    const res = await reset(id);
    expect(res.statusCode, res.body).toBe(200);
    const { oneTimePassword, endedSessions } = res.json();
    expect(res.json()).toMatchObject({ id, email });
    expect(oneTimePassword).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(endedSessions).toBe(0);
    const first = await signIn(email, oneTimePassword);
    expect(first.res.json().mustChangePassword).toBe(true);
    // Only the door to a real password is open.
    expect((await call('GET', '/api/v1/cases', first.cookie)).statusCode).toBe(403);
    expect((await call('GET', '/api/v1/me', first.cookie)).json()).toMatchObject({ id });
    const changed = await call('POST', '/api/v1/auth/password', first.cookie, {
      currentPassword: oneTimePassword,
      newPassword: 'my own password 1',
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect((await call('GET', '/api/v1/cases', first.cookie)).statusCode).toBe(200);
    const again = await signIn(email, 'my own password 1');
    expect(again.res.json().mustChangePassword).toBe(false);
    // Nothing written anywhere holds it: not the audit log, not a log line.
    const audits = await db().selectFrom('audit_log').selectAll().execute();
    expect(JSON.stringify(audits)).not.toContain(oneTimePassword);
    expect(logs.text()).not.toContain(oneTimePassword);
    expect(logs.text()).toContain('password-reset'); // the request itself was logged
  });

  it('ends the old password and every session, and is audited', async () => {
    const email = `jay-${engine}@kestrel.example`;
    const { id } = await createUser(db(), {
      workspaceId: ws(),
      email,
      name: 'Jay Whitaker',
      role: 'agent',
      password: 'the old password',
    });
    const a = await signIn(email, 'the old password');
    const b = await signIn(email, 'the old password');
    expect((await call('GET', '/api/v1/cases', a.cookie)).statusCode).toBe(200);
    const res = await reset(id);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().endedSessions).toBe(2);
    for (const s of [a, b])
      expect((await call('GET', '/api/v1/me', s.cookie)).statusCode).toBe(401);
    expect((await logIn(t, email, 'the old password')).statusCode).toBe(401);
    const users = (await call('GET', '/api/v1/users', t.auth)).json().items;
    expect(users.find((u: { id: string }) => u.id === id).mustChangePassword).toBe(true);
    const tokenId = (await call('GET', '/api/v1/me', t.auth)).json().id;
    const entry = await db()
      .selectFrom('audit_log')
      .selectAll()
      .where('action', '=', 'user.password_reset')
      .where('target', '=', id)
      .executeTakeFirstOrThrow();
    expect(entry).toMatchObject({ actor_type: 'token', actor_id: tokenId });
    expect(JSON.parse(entry.data_json)).toEqual({ endedSessions: 2 });
    // Admins read it in the audit log.
    const listed = await call('GET', '/api/v1/audit?action=user.password_reset', t.auth);
    expect(listed.statusCode, listed.body).toBe(200);
    expect(listed.json().items.map((i: { target: string }) => i.target)).toContain(id);
  });

  it('is for admins only, about someone else, who exists', async () => {
    const mk = async (name: string, role: 'agent' | 'supervisor' | 'admin') =>
      (
        await createUser(db(), {
          workspaceId: ws(),
          email: `${name}-${engine}@example.com`,
          name,
          role,
          password: 'a fine password',
        })
      ).id;
    const target = await mk('target', 'agent');
    await mk('sup', 'supervisor');
    const adminId = await mk('boss', 'admin');
    const sup = await signIn(`sup-${engine}@example.com`, 'a fine password');
    const agentToken = (
      await call('POST', '/api/v1/tokens', t.auth, { name: 'agent', role: 'agent' })
    ).json().token;
    for (const headers of [sup.cookie, { authorization: `Bearer ${agentToken}` }]) {
      const refused = await reset(target, headers);
      expect(refused.statusCode).toBe(403);
      expect(refused.body).not.toMatch(/oneTimePassword/);
    }
    expect((await reset(target, {})).statusCode).toBe(401);
    // Refused changes nothing: the old password still works.
    await signIn(`target-${engine}@example.com`, 'a fine password');
    expect((await reset('no-such-user')).statusCode).toBe(404);
    // An admin changes their own password knowing the current one, not by a reset.
    const boss = await signIn(`boss-${engine}@example.com`, 'a fine password');
    expect((await reset(adminId, boss.cookie)).statusCode).toBe(409);
    // Nor through their own API token.
    const bossToken = (
      await call('POST', '/api/v1/tokens', boss.cookie, { name: 'mine', role: 'admin' })
    ).json().token;
    const byToken = await reset(adminId, { authorization: `Bearer ${bossToken}` });
    expect(byToken.statusCode, byToken.body).toBe(409);
    // Another admin's they may reset.
    const other = await reset(target, boss.cookie);
    expect(other.statusCode, other.body).toBe(200);
    const audited = await db()
      .selectFrom('audit_log')
      .select(['actor_type', 'actor_id'])
      .where('action', '=', 'user.password_reset')
      .where('target', '=', target)
      .execute();
    expect(audited).toEqual([{ actor_type: 'user', actor_id: adminId }]);
  });
});
