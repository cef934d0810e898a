import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { ENGINES, freshDatabase } from '../../test/support/engines.js';
import { migrateTo, migrateToLatest } from '../platform/db/migrate.js';
import { listCases } from './case.queries.js';

/** Migration 0008 indexes what was stored before it: an upgraded desk finds its old cases. */
describe.each(ENGINES)('text search backfill on %s', (engine) => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('finds cases, customers and messages written before the migration', async () => {
    const fresh = await freshDatabase(engine);
    close = fresh.cleanup;
    const { database } = fresh;
    const db = database.db;
    await migrateTo(database, '0007_still_broken');
    const at = Date.UTC(2026, 0, 5);
    await db
      .insertInto('workspaces')
      .values({ id: 'w1', name: 'W', is_demo: 0, created_at: at })
      .execute();
    await db
      .insertInto('customers')
      .values([
        {
          id: 'cu1',
          workspace_id: 'w1',
          display_name: 'Hortensia Vale',
          created_at: at,
          updated_at: at,
        },
        { id: 'cu2', workspace_id: 'w1', display_name: null, created_at: at, updated_at: at },
      ] as never)
      .execute();
    const aCase = (id: string, customer: string, subject: string, n: number) => ({
      id,
      workspace_id: 'w1',
      number: n,
      customer_id: customer,
      status: 'open',
      priority: 'normal',
      channel: 'sms',
      subject,
      opened_at: at + n,
      last_message_at: at + n,
      created_at: at,
      updated_at: at,
    });
    await db
      .insertInto('cases')
      .values([aCase('c1', 'cu1', 'Roaming charges', 1), aCase('c2', 'cu2', 'Hello', 2)] as never)
      .execute();
    await db
      .insertInto('messages')
      .values({
        id: 'm1',
        workspace_id: 'w1',
        case_id: 'c2',
        customer_id: 'cu2',
        channel: 'sms',
        external_id: 'e1',
        direction: 'in',
        visibility: 'private',
        author_address: '+1',
        text: 'Mi factura llegó duplicada',
        sent_at: at,
        received_at: at,
        status: 'received',
      } as never)
      .execute();

    await migrateToLatest(database);
    const find = async (q: string) =>
      (await listCases(db, database.caps, 'w1', { q, limit: 10 })).rows.map((r) => r.id);
    expect(await find('roaming charg')).toEqual(['c1']);
    expect(await find('hortensia')).toEqual(['c1']);
    expect(await find('factura llegó')).toEqual(['c2']);
    expect(await find('nowhere')).toEqual([]);
    if (engine === 'postgres') {
      // The test cluster ships pg_trgm, so the migration must have built the indexes.
      const ix = await sql<{ indexname: string }>`SELECT indexname FROM pg_indexes
        WHERE indexname LIKE '%trgm_ix' ORDER BY indexname`.execute(db);
      expect(ix.rows.map((r) => r.indexname)).toEqual([
        'cases_subject_trgm_ix',
        'customers_display_name_trgm_ix',
        'messages_text_trgm_ix',
      ]);
    }
  });
});
