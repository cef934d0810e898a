import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logIn, sessionCookie, type TestApp, testApp } from '../../../test/builders.js';
import { hashPassword } from './passwords.js';
import { createUser } from './users.js';

const EMAIL = 'admin2@example.test';
const ONE_TIME = 'one-time-pass-0001';

/** Sessions and password changes, through the HTTP API. */
describe('sessions and logins', () => {
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
    const res = await logIn(t, EMAIL, password);
    return { status: res.statusCode, cookie: sessionCookie(res) };
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
  it('throttles repeated logins with 429 and Retry-After, and audits every attempt', async () => {
    const db = t.app.database.db;
    await createUser(db, {
      workspaceId: t.app.workspace.workspaceId,
      email: 'agent7@example.test',
      name: 'Agent 7',
      role: 'agent',
      password: 'right password 123',
    });
    const attempt = (password: string, remoteAddress: string, email = 'agent7@example.test') =>
      t.app.http.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress,
        payload: { email, password },
      });
    const guesses = await Promise.all(
      Array.from({ length: 5 }, (_, i) => attempt(`guess number ${i}`, '203.0.113.5')),
    );
    expect(guesses.map((r) => r.statusCode)).toEqual([401, 401, 401, 401, 401]);
    // From that address the account now waits, even for the right password, before any hashing.
    const throttled = await attempt('guess number 6', '203.0.113.5');
    expect(throttled.statusCode).toBe(429);
    expect(throttled.json().error.code).toBe('rate_limited');
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await attempt('right password 123', '203.0.113.5')).statusCode).toBe(429);
    // The owner, elsewhere, is not locked out.
    expect((await attempt('right password 123', '198.51.100.7')).statusCode).toBe(200);
    expect(
      (await attempt('whatever it is', '198.51.100.7', 'nobody@example.test')).statusCode,
    ).toBe(401);

    const audit = await db
      .selectFrom('audit_log')
      .select(['action', 'target', 'data_json'])
      .where('action', 'in', ['auth.login', 'auth.login_failed'])
      .execute();
    const failed = audit.filter((a) => a.action === 'auth.login_failed');
    expect(failed.filter((a) => JSON.parse(a.data_json).address === '203.0.113.5')).toHaveLength(5);
    expect(
      failed.some(
        (a) =>
          a.target === null &&
          JSON.parse(a.data_json).reason === 'unknown_account' &&
          JSON.parse(a.data_json).email === 'nobody@example.test',
      ),
    ).toBe(true);
    expect(
      audit.some(
        (a) => a.action === 'auth.login' && JSON.parse(a.data_json).address === '198.51.100.7',
      ),
    ).toBe(true);
  });

  it('throttles wrong current passwords on a password change as sign-in does', async () => {
    await createUser(t.app.database.db, {
      workspaceId: t.app.workspace.workspaceId,
      email: 'agent8@example.test',
      name: 'Agent 8',
      role: 'agent',
      password: 'right password 888',
    });
    const signedIn = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      remoteAddress: '198.51.100.9',
      payload: { email: 'agent8@example.test', password: 'right password 888' },
    });
    const cookie = String(signedIn.headers['set-cookie']).split(';')[0];
    // Someone holding the session guesses the password it does not know.
    const change = (currentPassword: string) =>
      t.app.http.inject({
        method: 'POST',
        url: '/api/v1/auth/password',
        remoteAddress: '203.0.113.9',
        headers: { cookie },
        payload: { currentPassword, newPassword: 'taken over 12345' },
      });
    const guesses = await Promise.all(
      Array.from({ length: 5 }, (_, i) => change(`guess number ${i}`)),
    );
    expect(guesses.map((r) => r.statusCode)).toEqual([401, 401, 401, 401, 401]);
    const throttled = await change('guess number 6');
    expect(throttled.statusCode).toBe(429);
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect((await change('right password 888')).statusCode).toBe(429);
  });

  it('stores a ready hash for accounts made in bulk: its secret signs in, the ignored password does not', async () => {
    const passwordHash = await hashPassword('the shared secret 42');
    for (const email of ['bulk1@example.test', 'bulk2@example.test']) {
      await createUser(t.app.database.db, {
        workspaceId: t.app.workspace.workspaceId,
        email,
        name: email,
        role: 'agent',
        password: '',
        passwordHash,
      });
    }
    expect((await logIn(t, 'bulk2@example.test', 'the shared secret 42')).statusCode).toBe(200);
    expect((await logIn(t, 'bulk1@example.test', '')).statusCode).not.toBe(200);
  });
});
