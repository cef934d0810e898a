import type { Kysely } from 'kysely';

/**
 * Data-subject erasure and retention (`src/privacy`): when a customer's, or a closed case's,
 * personal data was erased. The rows stay (ids, times, topic, counts), so scorecards and problems
 * keep their numbers; the marker tells the retention job what is done and the API why a text
 * reads "[erased]". The index serves the retention job's look-up of closed cases past the period.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('customers').addColumn('erased_at', 'bigint').execute();
  await db.schema.alterTable('cases').addColumn('erased_at', 'bigint').execute();
  await db.schema.createIndex('cases_closed_at_ix').on('cases').column('closed_at').execute();
}
