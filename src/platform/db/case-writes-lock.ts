import { type Kysely, sql } from 'kysely';
import type { Capabilities } from './database.js';
import type { DB } from './schema.js';

/** Advisory lock key of batch writes to cases, SLA clocks and timers ("THRL" "CASE"). */
const KEY = [0x5448524c, 0x43415345] as const;

/**
 * Serialises the pipeline's batches with the scheduler's timer batches, for the rest of the
 * transaction, where writers run concurrently (PostgreSQL). A batch takes case, clock and timer
 * rows in a different order than the SLA timer handlers do (timer → clock → case), and under a
 * storm of due timers (a replay of history, a backlog after an outage) they deadlocked again and
 * again; each deadlock cost a batch redone, or split into single events. Pipeline batches take
 * it `shared` (they already run one at a time, under the pipeline's turn, which they take first:
 * src/ingest/pipeline/turn-lock.ts), the scheduler takes it alone. On SQLite there is one
 * writer anyway.
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
