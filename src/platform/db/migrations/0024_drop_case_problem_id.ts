import type { Kysely } from 'kysely';

/**
 * Drops `cases.problem_id` (and its index), added by 0003 for "the problem this case is linked
 * to" but never written: the links have always lived in `problem_links` (0005), where a case may
 * be linked, unlinked, split off or merged. Every reader of the column (the customer's timeline,
 * the surge groups) saw no problem at all; they read `problem_links` now
 * (src/cases/case.problems.ts), and the column is dropped so nothing reads it again.
 *
 * The index goes first: SQLite refuses to drop an indexed column. On SQLite the drop rewrites the
 * table (seconds for a million cases, once); on PostgreSQL it only marks the column gone.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex('cases_problem_ix').ifExists().execute();
  await db.schema.alterTable('cases').dropColumn('problem_id').execute();
}
