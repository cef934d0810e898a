import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/builders.js';
import { createUser } from './users.js';

const EMAIL = 'admin2@example.test';
const ONE_TIME = 'one-time-pass-0001';

/** Sessions and password changes, through the HTTP API. */
describe('a password change ends the other sessions', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await testApp('sqlite');
    await createUser(t.app.database.db, {
      workspaceId: t.app.workspace.workspaceId,
      email: EMAIL,
      name: 'Second admin',
      role: 'admin',
      password: ONE_TIME,
      mustChangePassword: true,
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  const login = async (password: string) => {
    const res = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: EMAIL, password },
    });
    return { status: res.statusCode, cookie: String(res.headers['set-cookie']).split(';')[0] };
  };
  const get = (cookie: string, url: string) =>
    t.app.http.inject({ method: 'GET', url, headers: { cookie } });

  it('so a session opened with the one-time password never becomes a full one', async () => {
    // Someone else got hold of the one-time password too and signed in with it.
    const intruder = await login(ONE_TIME);
    const owner = await login(ONE_TIME);
    expect(intruder.status).toBe(200);
    expect((await get(intruder.cookie, '/api/v1/workspace')).statusCode).toBe(403);

    const changed = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers: { cookie: owner.cookie },
      payload: { currentPassword: ONE_TIME, newPassword: 'the real password 123' },
    });
    expect(changed.statusCode).toBe(200);
    // The intruder's session is gone (it was a full admin session on the old code) …
    expect((await get(intruder.cookie, '/api/v1/workspace')).statusCode).toBe(401);
    expect(changed.json()).toMatchObject({ ok: true, endedSessions: 1 });
    expect((await get(intruder.cookie, '/api/v1/me')).statusCode).toBe(401);
    // … the owner's, which made the change, goes on, now as a full session.
    expect((await get(owner.cookie, '/api/v1/workspace')).statusCode).toBe(200);
    // And the one-time password opens nothing any more.
    expect((await login(ONE_TIME)).status).toBe(401);

    // A later change ends every session but the changer's again.
    const laptop = await login('the real password 123');
    expect((await get(laptop.cookie, '/api/v1/workspace')).statusCode).toBe(200);
    const again = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/password',
      headers: { cookie: owner.cookie },
      payload: { currentPassword: 'the real password 123', newPassword: 'another password 456' },
    });
    expect(again.statusCode).toBe(200);
    expect((await get(laptop.cookie, '/api/v1/workspace')).statusCode).toBe(401);
    expect((await get(owner.cookie, '/api/v1/workspace')).statusCode).toBe(200);
  });
});
