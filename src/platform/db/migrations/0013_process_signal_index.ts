import type { Kysely } from 'kysely';

/**
 * A detector rebuilt after a restart reads the teams' SLA breaches of its warm-up span by
 * deadline (`src/problems/stored-signals.ts`); without this index that is a scan of every SLA
 * event the workspace ever had. Broken promises have theirs (`promises_status_ix`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('sla_events_due_ix')
    .on('sla_events')
    .columns(['workspace_id', 'kind', 'due_at'])
    .execute();
}
