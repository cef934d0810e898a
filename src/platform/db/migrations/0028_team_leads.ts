import type { Kysely } from 'kysely';

/**
 * `teams.lead_user_id`: the person who answers for a team's problems. A process problem (a spike
 * of one team's broken promises, SLA breaches or repeat contacts) is owned by that team's lead;
 * before, a team was only a name with no one at its head. Null: no lead named.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('teams').addColumn('lead_user_id', 'text').execute();
}
