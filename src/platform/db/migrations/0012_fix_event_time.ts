import { type Kysely, sql } from 'kysely';

/**
 * A fix in event time. `fixed_at` is when a person (or Jira, PagerDuty) marked the problem fixed,
 * by the wall clock: what the owner team sees and what the fix notice fan-out is timed by. The
 * detector judges the fix against the messages' own times (whether it held, "still broken"
 * replies, verification), and in a replay of history those are days or years behind the wall
 * clock; `fixed_event_at` is the moment of the fix in the detector's time (`event-clock.ts`).
 * `detector_clock` is where that time is read: per workspace, the latest event time the detector
 * has seen and when that message reached the desk (wall time).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('problems').addColumn('fixed_event_at', 'bigint').execute();
  // Fixes made before this migration were live ones (replays could not be judged anyway).
  await sql`UPDATE problems SET fixed_event_at = fixed_at WHERE fixed_at IS NOT NULL`.execute(db);
  await db.schema
    .createTable('detector_clock')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey())
    .addColumn('event_at', 'bigint', (c) => c.notNull())
    .addColumn('wall_at', 'bigint', (c) => c.notNull())
    .execute();
}
