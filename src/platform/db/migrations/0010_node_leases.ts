import type { Kysely } from 'kysely';

/**
 * Who is running a live pipeline on this database (`src/platform/db/pipeline-lease.ts`): a
 * one-shot command such as `throughline replay` hands its events to a running server instead of
 * running a second pipeline and detector beside it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('node_leases')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('heartbeat_at', 'bigint', (c) => c.notNull())
    .execute();
}
