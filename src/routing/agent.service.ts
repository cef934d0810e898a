import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { notFound } from '../platform/errors.js';
import { assertTeam } from './routing.schema.js';

export interface AgentProfileInput {
  availability?: 'online' | 'away' | 'offline';
  capacity?: number;
  skills?: { languages?: string[]; topics?: string[] };
  teamId?: string | null;
}

/**
 * Sets an agent's availability, capacity, skills and team (`PUT /api/v1/agents/:id`, and the
 * demo's staff); fields left out keep their value. Returns the stored availability, so the caller
 * can ask for assignment when the agent is online.
 */
export async function saveAgentProfile(
  db: Kysely<DB>,
  ws: string,
  userId: string,
  input: AgentProfileInput,
  now: number,
): Promise<{ userId: string; availability: string }> {
  const user = await db
    .selectFrom('users')
    .select('id')
    .where('workspace_id', '=', ws)
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user) throw notFound('user');
  // A team that does not exist would be stored as a dangling id.
  if (input.teamId) await assertTeam(db, ws, input.teamId);
  const current = await db
    .selectFrom('agent_profiles')
    .selectAll()
    .where('user_id', '=', user.id)
    .executeTakeFirst();
  const row = {
    user_id: user.id,
    workspace_id: ws,
    availability: input.availability ?? current?.availability ?? 'offline',
    capacity: input.capacity ?? current?.capacity ?? 10,
    skills_json: input.skills ? JSON.stringify(input.skills) : (current?.skills_json ?? '{}'),
    team_id: input.teamId !== undefined ? input.teamId : (current?.team_id ?? null),
    last_assigned_at: current?.last_assigned_at ?? null,
    updated_at: now,
  };
  await db
    .insertInto('agent_profiles')
    .values(row)
    .onConflict((oc) =>
      oc.column('user_id').doUpdateSet({
        availability: row.availability,
        capacity: row.capacity,
        skills_json: row.skills_json,
        team_id: row.team_id,
        updated_at: now,
      }),
    )
    .execute();
  return { userId: user.id, availability: row.availability };
}
