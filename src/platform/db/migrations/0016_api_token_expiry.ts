import type { Kysely } from 'kysely';

/**
 * API tokens that end: an optional expiry set at creation, and the user who created a token
 * through the API, so that disabling that user stops the tokens they made at once (a token made
 * by `throughline token create` has no user and lives until revoked or expired).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('api_tokens').addColumn('expires_at', 'bigint').execute();
  await db.schema.alterTable('api_tokens').addColumn('user_id', 'text').execute();
}
