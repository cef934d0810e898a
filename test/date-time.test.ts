import { beforeAll, describe, expect, it } from 'vitest';
import { careWorld } from '../src/cases/test-world.js';
import { aMessage } from './builders.js';
import { ENGINES } from './support/engines.js';
import { suiteApp } from './support/suite.js';

/**
 * A time RFC 3339 allows but Date.parse cannot read (a leap second) is a 400 naming the field on
 * every route, on both databases: it was taken, and its NaN went on into the database (a 500, or
 * a silently empty answer on SQLite).
 */
describe.each(ENGINES)('unreadable date-times on %s', (engine) => {
  const t = suiteApp(engine);
  const w = careWorld(() => t);
  let caseId: string;
  const LEAP = '2016-12-31T23:59:60Z';
  beforeAll(async () => {
    caseId = await w.openCase(aMessage());
  });
  const { api } = w;

  it('refuses a leap second with 400 naming the field, in bodies and queries', async () => {
    const checks: [Promise<{ statusCode: number; json(): unknown }>, string][] = [
      [
        api('POST', `/api/v1/cases/${caseId}/promises`, {
          kind: 'callback',
          description: 'call back',
          dueAt: '2026-12-31T23:59:60Z',
        }),
        'body/dueAt',
      ],
      [api('GET', `/api/v1/csat?from=${LEAP}`), 'querystring/from'],
      [
        api('GET', `/api/v1/promises/stats?from=${LEAP}&to=2030-01-01T00:00:00Z`),
        'querystring/from',
      ],
      [
        api('POST', '/api/v1/tokens', { name: 'x', role: 'agent', expiresAt: LEAP }),
        'body/expiresAt',
      ],
    ];
    for (const [pending, field] of checks) {
      const res = await pending;
      expect(res.statusCode, field).toBe(400);
      expect((res.json() as { error: { message: string } }).error.message).toBe(
        `invalid request: ${field} must match format "date-time"`,
      );
    }
    const promises = await t.app.database.db.selectFrom('promises').select('id').execute();
    expect(promises).toEqual([]);
  });

  it('still takes a readable time on the same routes', async () => {
    const made = await api('POST', `/api/v1/cases/${caseId}/promises`, {
      kind: 'callback',
      description: 'call back',
      dueAt: '2026-12-31T23:59:59Z',
    });
    expect(made.statusCode).toBe(201);
    expect((await api('GET', '/api/v1/csat?from=2016-12-31T23:59:59Z')).statusCode).toBe(200);
  });
});
