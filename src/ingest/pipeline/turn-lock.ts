import { type Kysely, sql } from 'kysely';
import type { Capabilities } from '../../platform/db/database.js';
import type { DB } from '../../platform/db/schema.js';

/** Advisory lock key of the pipeline's turn ("THRL" "PIPE"). */
const KEY = [0x5448524c, 0x50495045] as const;

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
export async function takePipelineTurn(trx: Kysely<DB>, caps: Capabilities): Promise<void> {
  if (!caps.concurrentWriters) return;
  await sql`select pg_advisory_xact_lock(${KEY[0]}, ${KEY[1]})`.execute(trx);
}
