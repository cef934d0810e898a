import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../../test/support/engines.js';
import { suiteDatabase } from '../../../test/support/suite.js';
import { insertRows } from './bulk.js';
import { inChunks } from './chunks.js';
import type { Database } from './database.js';

const ROWS = 12_345;

describe.each(ENGINES)('reading a large select in chunks on %s', (engine) => {
  const suite = suiteDatabase(engine);
  beforeAll(async () => {
    const rows = Array.from({ length: ROWS }, (_, i) => ({
      id: `t-${String(i).padStart(6, '0')}`,
      workspace_id: 'ws',
      kind: 'sla.breach',
      ref_id: `case-${i}`,
      // Descending, so the order comes from the query, not from how rows were stored.
      due_at: 2_000_000 - i,
      status: 'pending' as const,
      created_at: i,
    }));
    await insertRows(suite.database.db, suite.database.caps, 'timers', rows);
  });

  const timers = (db: Database['db']) =>
    db
      .selectFrom('timers')
      .select(['id', 'due_at'])
      .where('workspace_id', '=', 'ws')
      .orderBy('due_at');

  it('gives every row once, in the query’s order, at most `size` at a time', async () => {
    const whole = await timers(suite.database.db).execute();
    const sizes: number[] = [];
    const seen: { id: string; due_at: number }[] = [];
    await suite.database.db.transaction().execute(async (trx) => {
      for await (const chunk of inChunks(trx, timers(trx), 1_000)) {
        sizes.push(chunk.length);
        seen.push(...chunk);
      }
    });
    expect(sizes).toEqual([...Array(12).fill(1_000), 345]);
    expect(seen.map((r) => r.id)).toEqual(whole.map((r) => r.id));
    expect(seen[0]).toMatchObject({ id: 't-012344', due_at: 2_000_000 - 12_344 });
  });

  it('lets the transaction go on after the caller stops early', async () => {
    const after = await suite.database.db.transaction().execute(async (trx) => {
      for await (const chunk of inChunks(trx, timers(trx), 100)) {
        expect(chunk).toHaveLength(100);
        break;
      }
      // Nothing left open: a write on the same connection (SQLite refuses one while a
      // statement is still iterating), no cursor left (PostgreSQL), the same read again.
      await trx
        .updateTable('timers')
        .set({ status: 'fired' })
        .where('id', '=', 't-000007')
        .execute();
      const open =
        engine === 'postgres'
          ? (await sql<{ n: number }>`select count(*)::int as n from pg_cursors`.execute(trx))
              .rows[0].n
          : 0;
      let again = 0;
      for await (const chunk of inChunks(trx, timers(trx), 5_000)) again += chunk.length;
      const one = await trx
        .selectFrom('timers')
        .select('status')
        .where('id', '=', 't-000007')
        .executeTakeFirstOrThrow();
      return { open, again, status: one.status };
    });
    expect(after).toEqual({ open: 0, again: ROWS, status: 'fired' });
  });

  it('refuses to run outside a transaction', async () => {
    const read = async () => {
      for await (const _ of inChunks(suite.database.db, timers(suite.database.db))) break;
    };
    await expect(read()).rejects.toThrow(/transaction/);
  });

  // (PostgreSQL only: SQLite has no sessions to end.)
  if (engine === 'postgres')
    it('keeps the session busy while the caller works through the chunks (the stall limit does not end it)', async () => {
      // The pipeline ends batches whose session sits idle in transaction (turn-lock.ts). A caller
      // working 250 ms per chunk for 2.5 s in all stays under a 1 s limit: each chunk is a FETCH.
      let rows = 0;
      await suite.database.db.transaction().execute(async (trx) => {
        await sql`set local idle_in_transaction_session_timeout = '1s'`.execute(trx);
        for await (const chunk of inChunks(trx, timers(trx), 1_250)) {
          rows += chunk.length;
          await new Promise((r) => setTimeout(r, 250));
        }
      });
      expect(rows).toBe(ROWS);
      // Control: the same work after one plain select is idle for too long, and the server
      // ends the session.
      const plain = suite.database.db.transaction().execute(async (trx) => {
        await sql`set local idle_in_transaction_session_timeout = '1s'`.execute(trx);
        await timers(trx).execute();
        await new Promise((r) => setTimeout(r, 2_500));
        await trx.selectFrom('timers').select('id').limit(1).execute();
      });
      await expect(plain).rejects.toThrow();
    }, 20_000);
});
