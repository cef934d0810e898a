import type { Kysely } from 'kysely';

/**
 * `problem_updates.silent`: an update posted without messaging customers (`silent: true` with
 * words). Its words were dropped: nothing in the problem's updates or history, while they still
 * reached the owning team's tools. Stored now, marked silent (1), so the problem shows them and
 * nothing that reads "what customers were told" (the last words, the ETA told, the fix notice
 * for a customer who joins later) takes them. Earlier rows were all sent (0).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('problem_updates')
    .addColumn('silent', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
