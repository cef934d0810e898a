import { describe, expect, it, vi } from 'vitest';
import { freshDatabaseUrl } from '../../test/support/engines.js';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';

/*
 * A command's app (`withApp`) never serves HTTP. Closing a Fastify instance that was never
 * started boots it first, compiling every route's schemas: half a second of each CLI command
 * spent on a server nobody used.
 */
describe('an app built for a one-shot command', () => {
  it('closes without booting its HTTP server, and refuses to start', async () => {
    const db = await freshDatabaseUrl('sqlite');
    try {
      const config = loadConfig({
        THROUGHLINE_DATABASE_URL: db.url,
        LOG_LEVEL: 'silent',
        THROUGHLINE_DEMO: 'false',
      });
      const app = await buildApp({
        config: { ...config, pipeline: { ...config.pipeline, workers: false } },
        serves: false,
      });
      const booted = vi.fn(async () => {});
      app.http.addHook('onReady', booted);
      await expect(app.start({ listen: false })).rejects.toThrow(/one-shot/);
      await app.close();
      expect(booted).not.toHaveBeenCalled();
    } finally {
      db.cleanup();
    }
  });
});
