import { describe, expect, it } from 'vitest';
import { asAdmin } from '../../../test/builders.js';
import { ENGINES } from '../../../test/support/engines.js';
import { suiteApp } from '../../../test/support/suite.js';
import { createApiToken, parseDuration } from './tokens.js';

const DAY = 86_400_000;

describe('a token lasts at most 10 years', () => {
  it('bounds --expires-in with an error that says so', () => {
    expect(parseDuration('3650d')).toBe(3650 * DAY);
    expect(() => parseDuration('3651d')).toThrow(/at most 3650d/);
    expect(() => parseDuration('100000000d')).toThrow(/at most 3650d/);
    expect(() => parseDuration(`${'9'.repeat(400)}m`)).toThrow(/at most 3650d/);
  });
});

describe.each(ENGINES)('token expiry on %s', (engine) => {
  const t = suiteApp(engine);
  const db = () => t.app.database.db;
  const ws = () => t.app.workspace.workspaceId;
  const tokens = () => t.app.http.inject({ method: 'GET', url: '/api/v1/tokens', headers: t.auth });

  it('refuses a later expiry and stores nothing (no row without its audit entry)', async () => {
    const now = Date.now();
    await expect(
      createApiToken(db(), ws(), 'huge', 'agent', now, { expiresAt: now + 100_000_000 * DAY }),
    ).rejects.toThrow(/at most 3650 days/);
    const api = await asAdmin(t, 'POST', '/api/v1/tokens', {
      name: 'far',
      role: 'agent',
      expiresAt: '2999-01-01T00:00:00Z',
    });
    expect(api.statusCode, api.body).toBe(400);
    expect(api.json().error.message).toMatch(/at most 3650 days/);
    const rows = await db()
      .selectFrom('api_tokens')
      .select('id')
      .where('name', 'in', ['huge', 'far'])
      .execute();
    expect(rows).toEqual([]);
    expect((await tokens()).statusCode).toBe(200);
  });

  it('lists and creates tokens beside a stored expiry no date can show', async () => {
    const { id } = await createApiToken(db(), ws(), 'old-bad', 'agent');
    await db()
      .updateTable('api_tokens')
      .set({ expires_at: 8_640_000_000_000_001 })
      .where('id', '=', id)
      .execute();
    const list = await tokens();
    expect(list.statusCode, list.body).toBe(200);
    expect(list.json().items.find((i: { id: string }) => i.id === id)).toMatchObject({
      expiresAt: null,
      active: true,
    });
    const made = await asAdmin(t, 'POST', '/api/v1/tokens', { name: 'next', role: 'agent' });
    expect(made.statusCode, made.body).toBe(201);
  });
});
