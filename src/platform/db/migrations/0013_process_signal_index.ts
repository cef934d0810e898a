import { type Kysely, sql } from 'kysely';

/**
 * A detector rebuilt after a restart reads the process signals of its warm-up span
 * (`src/problems/stored-signals.ts`): the SLA breaches by deadline, and the messages that
 * reopened a resolved case (repeat contacts) by event time. Without these indexes that is a scan
 * of every SLA event and every case event the workspace ever had. The case-event index is
 * partial: only reopenings enter it, so the ingest path's many other case events cost nothing
 * more. Broken promises have theirs (`promises_status_ix`).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('sla_events_due_ix')
    .on('sla_events')
    .columns(['workspace_id', 'kind', 'due_at'])
    .execute();
  await sql`CREATE INDEX case_events_reopened_ix ON case_events (workspace_id, event_at) WHERE type = 'reopened'`.execute(
    db,
  );
}
