import { type Kysely, sql } from 'kysely';
import type { Capabilities } from '../../platform/db/database.js';
import type { DB } from '../../platform/db/schema.js';

/** Advisory lock key of the pipeline's turn ("THRL" "PIPE"). */
const KEY = [0x5448524c, 0x50495045] as const;

/**
 * How long a batch transaction may wait for its own client before the server ends it. The wait
 * includes the node's own work between statements: well under a second for a batch of 5,000
 * events. The detector's warm-up from 14 days of messages (about a minute per million) also runs
 * inside the first batch, but reads them through a cursor, a statement per 5,000 messages
 * (platform/db/chunks.ts), so it never leaves the session idle for long.
 */
export const DEFAULT_STALL_MS = 120_000;

/**
 * Gives the pipeline to one batch at a time across nodes, for the rest of the transaction, where
 * writers run concurrently (PostgreSQL).
 *
 * Events must be applied in `seq` order: a reply can only join its parent's case once the parent
 * is stored, and case numbers follow arrival. Claiming with `SKIP LOCKED` alone let a second node
 * (or a node recovering from a crash, while the dead connection's transaction was not yet rolled
 * back) run ahead of a batch in flight and thread its later events without their earlier ones —
 * the crash-safety test caught it as 80 cases where there were 40. Waiting for the turn instead
 * means a batch is taken only when every earlier batch has committed or rolled back.
 * On SQLite there is one writer anyway.
 */
export async function takePipelineTurn(
  trx: Kysely<DB>,
  caps: Capabilities,
  stallMs: number = DEFAULT_STALL_MS,
): Promise<void> {
  if (!caps.concurrentWriters) return;
  // A node that vanishes mid-batch without closing its connection (power loss, a partition)
  // would hold the turn until the server noticed, hours with default TCP keepalives, and every
  // node's pipeline would wait. The server ends a batch transaction left waiting for its client
  // this long; the batch rolls back and is taken again, as after a crash. Lock order: this turn,
  // then the case-writes lock (case-writes-lock.ts); nothing takes them the other way round.
  const ms = Math.max(1000, Math.trunc(stallMs));
  await sql`set local idle_in_transaction_session_timeout = ${sql.raw(String(ms))}`.execute(trx);
  await sql`select pg_advisory_xact_lock(${KEY[0]}, ${KEY[1]})`.execute(trx);
}
