import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { suiteApp } from '../../test/support/suite.js';
import { ingestStream } from './ingest-stream.js';

/**
 * A replay beside another process's pipeline on the same SQLite file: that pipeline may hold the
 * write lock longer than the busy timeout (5 s) on a loaded machine. The replay's append waits
 * it out instead of failing the whole run with "database is locked".
 */
describe('a command appending while another process holds the write lock', () => {
  const t = suiteApp('sqlite');

  it('waits past the busy timeout and stores every message once', async () => {
    const other = new SQLite(t.app.config.databaseUrl.slice('sqlite:'.length));
    try {
      other.exec('BEGIN IMMEDIATE');
      // Released after six seconds, past the five of the busy timeout.
      const released = new Promise<void>((resolve) =>
        setTimeout(() => {
          other.exec('COMMIT');
          resolve();
        }, 6_000),
      );
      const messages = [aMessage(), aMessage()];
      const res = await ingestStream(messages, {
        database: t.app.database,
        workspaceId: t.app.workspace.workspaceId,
      });
      await released;
      expect(res).toMatchObject({ accepted: 2, duplicates: 0 });
    } finally {
      other.close();
    }
  }, 60_000);
});
