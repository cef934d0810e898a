import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createApiToken } from '../src/platform/auth/tokens.js';
import { captureLogs } from './support/logs.js';
import { createDatabase, type PgCluster, startPostgres } from './support/postgres.js';

/**
 * While PostgreSQL is down the API says so, as healthz does: 503 `database_unavailable` with
 * Retry-After, logged as a warning without a stack, not 500 `internal` with one per request.
 */
describe('the API while its PostgreSQL is down', () => {
  let cluster: PgCluster;
  let app: App;
  let token: string;
  const logs = captureLogs('warn');
  beforeAll(async () => {
    // A cluster of its own: this test stops it.
    cluster = await startPostgres();
    const url = await createDatabase(cluster.url, 'down');
    const config = loadConfig({ THROUGHLINE_DATABASE_URL: url, LOG_LEVEL: 'warn' });
    app = await buildApp({
      config: { ...config, pipeline: { ...config.pipeline, workers: false } },
      logger: logs.logger,
    });
    await app.start({ listen: false });
    ({ token } = await createApiToken(app.database.db, app.workspace.workspaceId, 't', 'admin'));
  });
  afterAll(async () => {
    await app?.close().catch(() => {});
    await cluster?.stop().catch(() => {});
  });

  it('answers 503 with Retry-After, and logs no stack', async () => {
    const get = () =>
      app.http.inject({
        method: 'GET',
        url: '/api/v1/cases',
        headers: { authorization: `Bearer ${token}` },
      });
    expect((await get()).statusCode).toBe(200);
    await cluster.stop();
    // The pooled connections die with the server (57P01), then connecting is refused.
    for (let i = 0; i < 3; i++) {
      const res = await get();
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.json().error.code).toBe('database_unavailable');
    }
    const lines = logs.lines();
    expect(lines.some((l) => l.msg === 'database unavailable')).toBe(true);
    expect(lines.filter((l) => l.level === 50 || l.msg === 'unhandled error')).toEqual([]);
    expect(JSON.stringify(lines)).not.toContain('"stack"');
  });
});
