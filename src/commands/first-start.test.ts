import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { findApiToken } from '../platform/auth/tokens.js';
import { createUser } from '../platform/auth/users.js';
import { FIRST_START_TOKEN_MS, firstStartToken } from './first-start.js';

/** The token printed at first start lasted until revoked; it now expires after 24 hours. */
describe.each(ENGINES)('the first-start API token, on %s', (engine) => {
  const t = suiteApp(engine);

  it('works for 24 hours, then no more', async () => {
    const db = t.app.database.db;
    const ws = t.app.workspace.workspaceId;
    const admin = await createUser(db, {
      workspaceId: ws,
      email: 'first-admin@desk.test',
      name: 'Administrator',
      role: 'admin',
      password: 'one-time-password-1',
      mustChangePassword: true,
    });
    const now = Date.now();
    const { id, token, expiresAt } = await firstStartToken(db, ws, admin.id, now);
    expect(expiresAt).toBe(now + FIRST_START_TOKEN_MS);
    const cases = await t.app.http.inject({
      method: 'GET',
      url: '/api/v1/cases',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(cases.statusCode, cases.body).toBe(200);
    expect((await findApiToken(db, token, expiresAt - 1))?.id).toBe(id);
    expect(await findApiToken(db, token, expiresAt)).toBeUndefined();
    const row = await db
      .selectFrom('api_tokens')
      .select(['expires_at', 'user_id'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(Number(row.expires_at)).toBe(expiresAt);
    expect(row.user_id).toBe(admin.id);
  });
});
