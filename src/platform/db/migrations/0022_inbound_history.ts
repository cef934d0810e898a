import type { Kysely } from 'kysely';

/**
 * `inbound_events.history`: 1 for an event logged as history (`throughline import`), which the
 * pipeline records as closed-out past work: the case it opens is resolved, not queued or
 * assigned, and starts no SLA clock (`src/ingest/pipeline/stages/thread.ts`). Kept on the log row,
 * not in the message: the API and channels cannot send it, and a server's pipeline beside the
 * importing command reads it from there.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('inbound_events')
    .addColumn('history', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
