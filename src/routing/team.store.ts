/** Teams as the API shows them, and who may lead one. */
import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { badRequest } from '../platform/errors.js';

const Person = Type.Object({ id: Type.String(), name: Type.String(), email: Type.String() });
type PersonT = { id: string; name: string; email: string };

export const TeamDto = Type.Object({
  id: Type.String(),
  name: Type.String({
    description: 'what routing rules, owner rules and problem owners name it by (any case)',
  }),
  createdAt: Type.String(),
  lead: Type.Union([Type.Null(), Person], {
    description:
      'who answers for the team’s problems (the owner of its process problems), named by `PATCH /api/v1/teams/:id`; null: none named, or their account is disabled',
  }),
  members: Type.Array(Person, {
    description:
      'enabled users whose agent profile names this team (`PUT /api/v1/agents/:id` `teamId`), by name',
  }),
});

interface TeamRow {
  id: string;
  name: string;
  created_at: number;
  lead_user_id: string | null;
}

export const TEAM_COLUMNS = ['id', 'name', 'created_at', 'lead_user_id'] as const;

/** Teams with their enabled members and lead, in the rows' order. */
export async function teamDtos(db: Kysely<DB>, ws: string, rows: TeamRow[]) {
  if (rows.length === 0) return [];
  const members = await db
    .selectFrom('agent_profiles')
    .innerJoin('users', 'users.id', 'agent_profiles.user_id')
    .select(['agent_profiles.team_id', 'users.id', 'users.name', 'users.email'])
    .where('agent_profiles.workspace_id', '=', ws)
    .where(
      'agent_profiles.team_id',
      'in',
      rows.map((t) => t.id),
    )
    .where('users.disabled_at', 'is', null)
    .orderBy('users.name')
    .orderBy('users.id')
    .execute();
  const leads = await enabledUsers(
    db,
    ws,
    rows.flatMap((t) => (t.lead_user_id ? [t.lead_user_id] : [])),
  );
  return rows.map((t) => ({
    id: t.id,
    name: t.name,
    createdAt: new Date(Number(t.created_at)).toISOString(),
    lead: (t.lead_user_id && leads.get(t.lead_user_id)) || null,
    members: members
      .filter((m) => m.team_id === t.id)
      .map((m) => ({ id: m.id, name: m.name, email: m.email })),
  }));
}

/**
 * A lead is a person who works the desk now: an enabled user of the workspace (every user has a
 * desk role: integrations get tokens, not accounts). Anything else is a 400 naming it.
 */
export async function assertLead(db: Kysely<DB>, ws: string, userId: string) {
  const u = await db
    .selectFrom('users')
    .select('disabled_at')
    .where('workspace_id', '=', ws)
    .where('id', '=', userId)
    .executeTakeFirst();
  const named = `leadUserId ${JSON.stringify(userId)}`;
  if (!u) throw badRequest(`${named} is not a user of this workspace`);
  if (u.disabled_at !== null) throw badRequest(`${named} is a disabled user`);
}

/** Enabled users of the workspace by id (a disabled one leads nothing). */
export async function enabledUsers(db: Kysely<DB>, ws: string, ids: string[]) {
  const out = new Map<string, PersonT>();
  if (ids.length === 0) return out;
  const rows = await db
    .selectFrom('users')
    .select(['id', 'name', 'email'])
    .where('workspace_id', '=', ws)
    .where('id', 'in', [...new Set(ids)])
    .where('disabled_at', 'is', null)
    .execute();
  for (const r of rows) out.set(r.id, { id: r.id, name: r.name, email: r.email });
  return out;
}
