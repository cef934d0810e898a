/** Request shapes the routing routes share. */
import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { badRequest } from '../platform/errors.js';

export const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export const Mode = Type.Union([
  Type.Literal('manual'),
  Type.Literal('round_robin'),
  Type.Literal('load_balanced'),
]);
export const Skills = Type.Object(
  {
    languages: Type.Optional(Type.Array(Type.String())),
    topics: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: false },
);
/** Routes that change routing are for admins and supervisors. */
export const admin = { roles: ['admin' as const, 'supervisor' as const] };

/** Refuses a team id that is not a team of this workspace (else it is stored dangling). */
export async function assertTeam(
  db: Kysely<DB>,
  ws: string,
  teamId: string,
  field = 'teamId',
): Promise<void> {
  const team = await db
    .selectFrom('teams')
    .select('id')
    .where('workspace_id', '=', ws)
    .where('id', '=', teamId)
    .executeTakeFirst();
  if (!team) throw badRequest(`${field} ${JSON.stringify(teamId)} is not a team of this workspace`);
}

/** Refuses a user id that is not a user of this workspace (an owner or assignee to be). */
export async function assertUser(
  db: Kysely<DB>,
  ws: string,
  userId: string,
  field = 'userId',
): Promise<void> {
  const user = await db
    .selectFrom('users')
    .select('id')
    .where('workspace_id', '=', ws)
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user) throw badRequest(`${field} ${JSON.stringify(userId)} is not a user of this workspace`);
}
