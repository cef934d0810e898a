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
export async function assertTeam(db: Kysely<DB>, ws: string, teamId: string): Promise<void> {
  const team = await db
    .selectFrom('teams')
    .select('id')
    .where('workspace_id', '=', ws)
    .where('id', '=', teamId)
    .executeTakeFirst();
  if (!team) throw badRequest(`teamId ${JSON.stringify(teamId)} is not a team of this workspace`);
}
