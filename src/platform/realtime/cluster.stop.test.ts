import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { freshDatabase } from '../../../test/support/engines.js';
import { LiveBus } from './bus.js';
import { startClusterSignals } from './cluster.js';

/**
 * A one-shot process (a CLI command: `user disable`, `token revoke`) publishes one live event and
 * closes at once. Its NOTIFY must be sent before the pool closes, or the other nodes never hear of
 * it and their streams wait for their periodic check.
 */
describe('cluster signals on PostgreSQL', () => {
  it('send what was published before stop() returns', async () => {
    const { database, url, cleanup } = await freshDatabase('postgres');
    const listener = new pg.Client({ connectionString: url });
    await listener.connect();
    const heard: string[] = [];
    listener.on('notification', (n) => heard.push(n.payload ?? ''));
    await listener.query('listen throughline_live');
    try {
      const bus = new LiveBus();
      const signals = await startClusterSignals(database, bus, {
        onInbound: () => {},
        onOutbox: () => {},
      });
      bus.publish({ type: 'access.changed', workspaceId: 'w', data: { userId: 'u' } });
      await signals.stop();
      await database.close();
      // A notification is delivered after its transaction commits: give it a moment to arrive.
      for (let i = 0; i < 40 && heard.length === 0; i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(heard).toHaveLength(1);
      expect(JSON.parse(heard[0]).events).toEqual([
        { type: 'access.changed', workspaceId: 'w', data: { userId: 'u' } },
      ]);
    } finally {
      await listener.end();
      await cleanup().catch(() => {});
    }
  });
});
