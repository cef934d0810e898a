import { type Kysely, PostgresAdapter, type SelectQueryBuilder, sql } from 'kysely';
import type { DB } from './schema.js';

// biome-ignore lint/suspicious/noExplicitAny: any table set; only the row type matters here.
type Select<O> = SelectQueryBuilder<DB, any, O>;

let cursors = 0;

/**
 * Reads a large select in chunks of `size` rows, turning only one chunk at a time into objects
 * and letting the event loop run between chunks. Must run inside a transaction.
 *
 * On PostgreSQL the rows come through a cursor of the caller's transaction (`DECLARE`, then one
 * `FETCH` per chunk): the server holds the result, and the session sends a statement per chunk
 * instead of sitting "idle in transaction" while the caller works through a million rows in one
 * go, which the pipeline's stall limit (`idle_in_transaction_session_timeout`) would end. On
 * SQLite they come from the statement's own row iterator (an `ORDER BY` without an index still
 * sorts the whole result inside SQLite before the first row).
 */
export function inChunks<O>(trx: Kysely<DB>, query: Select<O>, size = 5_000): AsyncGenerator<O[]> {
  if (!trx.isTransaction) throw new Error('inChunks needs a transaction');
  return trx.getExecutor().adapter instanceof PostgresAdapter
    ? throughCursor(trx, query, size)
    : throughIterator(query, size);
}

async function* throughCursor<O>(trx: Kysely<DB>, query: Select<O>, size: number) {
  const name = sql.raw(`throughline_chunks_${++cursors}`);
  await sql`declare ${name} no scroll cursor for ${query}`.execute(trx);
  try {
    for (;;) {
      const { rows } = await sql<O>`fetch forward ${sql.lit(size)} from ${name}`.execute(trx);
      if (rows.length > 0) yield rows;
      if (rows.length < size) return;
      await breathe();
    }
  } finally {
    // Closed with its transaction anyway; closing early frees it for a caller that goes on. (In a
    // transaction that already failed this fails too, and the caller sees the first error.)
    await sql`close ${name}`.execute(trx).catch(() => undefined);
  }
}

async function* throughIterator<O>(query: Select<O>, size: number) {
  let chunk: O[] = [];
  for await (const row of query.stream()) {
    chunk.push(row);
    if (chunk.length < size) continue;
    yield chunk;
    chunk = [];
    await breathe();
  }
  if (chunk.length > 0) yield chunk;
}

/** One turn of the event loop (timers, sockets), not just the microtask queue. */
function breathe(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
