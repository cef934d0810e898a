import { type Kysely, sql } from 'kysely';

/**
 * SLA deadlines wait for the inbound log (`src/platform/jobs/scheduler.ts`, `hold_from`): a
 * deadline is an event time, and the scheduler must not fire it by the wall clock while an
 * event from before it (the agent's reply that met it) is still unprocessed, as it is beside a
 * replay or during a catch-up of a backlog.
 *
 * - `inbound_events.sent_at`: the message's event time, as the pipeline will read it, so the
 *   scheduler can ask whether anything unprocessed lies in a span of event time. The partial
 *   index holds only pending rows (processed ones leave it); `workspace_id` leads so that SQLite,
 *   planning without statistics, takes it rather than the unique key's `workspace_id` prefix.
 * - `timers.hold_from`: the event time from which unprocessed events hold a timer back (an SLA
 *   clock's start); null for timers that wait for nothing (promises, auto-close).
 *
 * Pending events are backfilled (an upgrade is a restart, and a restart is a catch-up); pending
 * SLA timers hold from 0, the clocks they were made from having no start recorded.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('inbound_events').addColumn('sent_at', 'bigint').execute();
  const pending = await sql<{ seq: number; payload_json: string }>`
    SELECT seq, payload_json FROM inbound_events WHERE status = 'pending'`.execute(db);
  for (const r of pending.rows) {
    const at = eventTime(r.payload_json);
    if (at !== null)
      await sql`UPDATE inbound_events SET sent_at = ${at} WHERE seq = ${r.seq}`.execute(db);
  }
  await sql`CREATE INDEX inbound_events_pending_sent_ix ON inbound_events (workspace_id, sent_at) WHERE status = 'pending'`.execute(
    db,
  );
  await db.schema.alterTable('timers').addColumn('hold_from', 'bigint').execute();
  await sql`UPDATE timers SET hold_from = 0 WHERE status = 'pending' AND kind LIKE 'sla.%'`.execute(
    db,
  );
}

function eventTime(payload: string): number | null {
  try {
    const t = Date.parse((JSON.parse(payload) as { sentAt?: unknown }).sentAt as string);
    return Number.isFinite(t) ? t : null;
  } catch {
    return null;
  }
}
