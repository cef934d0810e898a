import type { Kysely } from 'kysely';

/**
 * Who made a triage correction through the API with a token: `user_id` holds only people, so a
 * correction made by an integration was stored unattributed. The token's id (tokens are revoked,
 * never deleted, so its name stays readable).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('triage_corrections').addColumn('token_id', 'text').execute();
}
