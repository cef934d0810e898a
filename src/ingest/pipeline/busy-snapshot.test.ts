import SQLite from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMessage, type TestApp, testApp } from '../../../test/builders.js';
import { appendInbound } from '../inbound.log.js';

/**
 * Another process (a replay or import beside the server) commits to the SQLite file between a
 * batch's first read and its first write: SQLite fails the batch's write with
 * SQLITE_BUSY_SNAPSHOT ("database is locked") at once, whatever the busy timeout. That is the
 * database's moment, not the events' fault: the batch is taken again, and no attempt that
 * parks an event is used up. Before, the code was not known as transient: the events were
 * retried one by one, each failure counted, and a busy hour could park good messages.
 */
describe('a batch meeting another process’s commit (SQLite)', () => {
  let t: TestApp;
  let other: SQLite.Database | null = null;
  let disruptions = 0;
  beforeAll(async () => {
    t = await testApp(
      'sqlite',
      {},
      {
        // After the batch has read (claimed its events) and before it writes anything.
        afterStage: (name) => {
          if (name !== 'normalise' || disruptions === 0 || !other) return;
          disruptions--;
          other.prepare('insert into probe (n) values (1)').run();
        },
      },
    );
    const path = t.app.config.databaseUrl.slice('sqlite:'.length);
    other = new SQLite(path);
    other.pragma('busy_timeout = 5000');
    other.exec('create table probe (n integer)');
  });
  afterAll(async () => {
    other?.close();
    await t?.close();
  });

  it('takes the batch again without counting an attempt against its events', async () => {
    const db = t.app.database.db;
    const ws = t.app.workspace.workspaceId;
    const messages = [aMessage(), aMessage(), aMessage()];
    await appendInbound(db, ws, messages, Date.now());
    // Every transaction of the first five is met by a commit in between.
    disruptions = 5;
    await t.app.pipeline.drain();
    expect(disruptions).toBe(0);
    const events = await db
      .selectFrom('inbound_events')
      .select(['status', 'attempts'])
      .where(
        'external_id',
        'in',
        messages.map((m) => m.externalId),
      )
      .execute();
    expect(events).toEqual(messages.map(() => ({ status: 'done', attempts: 0 })));
    const stored = await db.selectFrom('messages').select('external_id').execute();
    expect(stored).toHaveLength(3);
  });
});
