import { describe, expect, it } from 'vitest';
import { logIn } from '../../../test/builders.js';
import { ENGINES } from '../../../test/support/engines.js';
import { suiteApp } from '../../../test/support/suite.js';
import { effectiveTokenRole } from './tokens.js';

describe('a token does no more than its owner may now', () => {
  it('takes the lesser of its role and its owner’s; an integration token needs an admin', () => {
    const owner = (role: 'admin' | 'supervisor' | 'agent' | null) => ({ id: 'u', role });
    expect(effectiveTokenRole('admin', owner('agent'))).toBe('agent');
    expect(effectiveTokenRole('admin', owner('supervisor'))).toBe('supervisor');
    expect(effectiveTokenRole('agent', owner('admin'))).toBe('agent');
    expect(effectiveTokenRole('integration', owner('admin'))).toBe('integration');
    expect(effectiveTokenRole('integration', owner('supervisor'))).toBeNull();
    // An owner row that is gone: nothing (fail closed). No owner at all (CLI): its own role.
    expect(effectiveTokenRole('agent', owner(null))).toBeNull();
    expect(effectiveTokenRole('admin', { id: null, role: null })).toBe('admin');
  });
});

describe.each(ENGINES)('API tokens of a demoted user on %s', (engine) => {
  const t = suiteApp(engine);
  const call = (
    method: 'GET' | 'POST' | 'PATCH',
    url: string,
    headers: Record<string, string>,
    payload?: unknown,
  ) => t.app.http.inject({ method, url, headers, payload: payload as never });
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  it('acts as the owner’s new role, so it cannot promote them back', async () => {
    // Another admin, so this one may be demoted.
    await call('POST', '/api/v1/users', t.auth, {
      email: `keeper-${engine}@example.com`,
      name: 'Keeper',
      role: 'admin',
    });
    const made = await call('POST', '/api/v1/users', t.auth, {
      email: `bob-${engine}@example.com`,
      name: 'Bob',
      role: 'admin',
      password: 'bob password 1234',
    });
    expect(made.statusCode, made.body).toBe(201);
    const userId = made.json().id;
    const login = await logIn(t, `bob-${engine}@example.com`, 'bob password 1234');
    const cookie = `tl_session=${login.cookies.find((c) => c.name === 'tl_session')?.value}`;
    const own = (
      await call('POST', '/api/v1/tokens', { cookie }, { name: 'b', role: 'admin' })
    ).json().token;
    const feed = (
      await call('POST', '/api/v1/tokens', { cookie }, { name: 'feed', role: 'integration' })
    ).json().token;
    expect((await call('GET', '/api/v1/users', bearer(own))).statusCode).toBe(200);

    const demoted = await call('PATCH', `/api/v1/users/${userId}`, t.auth, { role: 'agent' });
    expect(demoted.statusCode, demoted.body).toBe(200);
    expect((await call('GET', '/api/v1/users', bearer(own))).statusCode).toBe(403);
    const back = await call('PATCH', `/api/v1/users/${userId}`, bearer(own), { role: 'admin' });
    expect(back.statusCode).toBe(403);
    const me = await call('GET', '/api/v1/me', bearer(own));
    expect(me.statusCode).toBe(200);
    expect(me.json().role).toBe('agent');
    // An integration token speaks as any customer, which an agent may not: it stops.
    expect((await call('GET', '/api/v1/me', bearer(feed))).statusCode).toBe(401);
    const listed = (await call('GET', '/api/v1/tokens', t.auth)).json().items;
    expect(listed.find((i: { name: string }) => i.name === 'b')).toMatchObject({
      role: 'admin',
      effectiveRole: 'agent',
    });
    expect(listed.find((i: { name: string }) => i.name === 'feed').effectiveRole).toBeNull();
    // Promoted again by another admin, the token is an admin's again.
    await call('PATCH', `/api/v1/users/${userId}`, t.auth, { role: 'admin' });
    expect((await call('GET', '/api/v1/users', bearer(own))).statusCode).toBe(200);
    expect((await call('GET', '/api/v1/me', bearer(feed))).statusCode).toBe(403);
  });
});
