import { type Kysely, PostgresAdapter, sql } from 'kysely';
import type { Capabilities } from './database.js';
import { retryConflicts } from './db-errors.js';
import type { DB } from './schema.js';

/** Advisory lock key of batch writes to cases, SLA clocks and timers ("THRL" "CASE"). */
const KEY = [0x5448524c, 0x43415345] as const;

/**
 * Serialises the scheduler's timer batches with every other writer of cases' SLA clocks and
 * timers, for the rest of the transaction, where writers run concurrently (PostgreSQL). The
 * scheduler claims timers first and then writes clocks and cases (timer → clock → case); the
 * pipeline's batches and agents' case changes write clocks first and then timers. Under a storm
 * of due timers they deadlocked again and again (a batch redone or split into single events; an
 * agent's "resolve" answered 500). Those writers take it `shared`, at the start of their
 * transaction, before any row lock (pipeline batches after the pipeline's turn:
 * src/ingest/pipeline/turn-lock.ts); the scheduler takes it alone. On SQLite there is one writer
 * anyway.
 */
export async function lockCaseWrites(
  trx: Kysely<DB>,
  caps: Capabilities,
  mode: 'shared' | 'exclusive',
): Promise<void> {
  if (!caps.concurrentWriters) return;
  if (mode === 'shared')
    await sql`select pg_advisory_xact_lock_shared(${KEY[0]}, ${KEY[1]})`.execute(trx);
  else await sql`select pg_advisory_xact_lock(${KEY[0]}, ${KEY[1]})`.execute(trx);
}

/**
 * `lockCaseWrites(trx, caps, 'shared')` for code that has only the transaction: whether writers
 * run concurrently is then read off the transaction's own dialect (PostgreSQL's). Taking it again
 * in a transaction that holds it costs a statement and changes nothing.
 */
export async function shareCaseWrites(trx: Kysely<DB>): Promise<void> {
  if (!(trx.getExecutor().adapter instanceof PostgresAdapter)) return;
  await sql`select pg_advisory_xact_lock_shared(${KEY[0]}, ${KEY[1]})`.execute(trx);
}

/**
 * A transaction that writes cases, their SLA clocks or timers outside the pipeline (an agent's
 * change, a reply, a macro, a merge): it takes the case-write lock shared before anything else,
 * and is run again (a few times, after a random wait) should PostgreSQL still abort it for a
 * deadlock or serialization conflict. `body` must be database work only: it may run more than once.
 */
export function caseWriteTransaction<T>(
  db: Kysely<DB>,
  body: (trx: Kysely<DB>) => Promise<T>,
): Promise<T> {
  return retryConflicts(() =>
    db.transaction().execute(async (trx) => {
      await shareCaseWrites(trx);
      return body(trx);
    }),
  );
}
