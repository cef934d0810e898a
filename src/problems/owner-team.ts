import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { AppError } from '../platform/errors.js';

/**
 * Status updates go to every linked customer, and links, merges and splits decide who gets
 * them, so they come from the owner team: an agent changes a problem owned by a team only as a
 * member of it (agent_profiles.team_id) or as its lead (teams.lead_user_id: who answers for its
 * problems); supervisors and admins change any, and anyone a problem no team owns. Throws `forbidden` otherwise; an unknown problem is left to the caller.
 */
export async function ownerTeamOnly(
  db: Kysely<DB>,
  actor: { type: string; id: string; role: string; workspaceId: string },
  id: string,
): Promise<void> {
  if (actor.role !== 'agent') return;
  const p = await db
    .selectFrom('problems')
    .select('owner_team_id')
    .where('workspace_id', '=', actor.workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!p?.owner_team_id) return;
  const forbidden = new AppError(
    'forbidden',
    "only the owner team's agents and lead, supervisors and admins change this problem",
  );
  // An agent token belongs to no team and leads none.
  if (actor.type !== 'user') throw forbidden;
  const profile = await db
    .selectFrom('agent_profiles')
    .select('team_id')
    .where('workspace_id', '=', actor.workspaceId)
    .where('user_id', '=', actor.id)
    .executeTakeFirst();
  if (profile?.team_id === p.owner_team_id) return;
  const led = await db
    .selectFrom('teams')
    .select('id')
    .where('workspace_id', '=', actor.workspaceId)
    .where('id', '=', p.owner_team_id)
    .where('lead_user_id', '=', actor.id)
    .executeTakeFirst();
  if (!led) throw forbidden;
}
