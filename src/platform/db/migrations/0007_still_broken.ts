import type { Kysely } from 'kysely';

/**
 * "Still broken" after a fix is counted once per linked case (customer), not once per message:
 * one upset customer writing three times is not three customers saying the fix failed. The
 * link remembers when its customer last said so; a new fix starts a new count (only reports
 * after the problem's latest `fixed_at` count).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('problem_links').addColumn('still_broken_at', 'bigint').execute();
}
