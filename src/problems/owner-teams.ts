import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { AppError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';

/*
 * Owner rules name teams (problem settings), and only a team row gives a problem an
 * `owner_team_id`, which is what limits its status updates to that team's agents
 * (owner-team.ts). A rule's name that matched no team left every problem ownerless, open to
 * every agent. So the teams the default rules name exist from the desk's creation, a problem's
 * owner name is read as the team of that name, and a rule naming no team is refused.
 */

/** A team name as stored: Unicode-normalised (NFKC), runs of white space one space, trimmed. */
export const tidyTeamName = (name: string) => name.normalize('NFKC').replace(/\s+/g, ' ').trim();

/** What names one team: its tidy name, case aside ("Street  works" is "street works"). */
export const teamNameKey = (name: string) => tidyTeamName(name).toLowerCase();

const key = teamNameKey;

/** The workspace's teams by name (case and surrounding spaces aside). */
async function teamsByName(trx: Kysely<DB>, ws: string): Promise<Map<string, string>> {
  const rows = await trx
    .selectFrom('teams')
    .select(['id', 'name'])
    .where('workspace_id', '=', ws)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  const byName = new Map<string, string>();
  for (const r of rows) if (!byName.has(key(r.name))) byName.set(key(r.name), r.id);
  return byName;
}

/** The id of the team of that name, or null (no name, or no such team). */
export async function teamIdNamed(
  trx: Kysely<DB>,
  ws: string,
  name: string | null,
): Promise<string | null> {
  if (!name?.trim()) return null;
  return (await teamsByName(trx, ws)).get(key(name)) ?? null;
}

/** Creates the teams of these names that the workspace does not have yet. */
export async function ensureTeamsNamed(
  trx: Kysely<DB>,
  ws: string,
  names: readonly string[],
  now: number,
): Promise<void> {
  const byName = await teamsByName(trx, ws);
  for (const name of names) {
    if (byName.has(key(name))) continue;
    const id = newId();
    await trx
      .insertInto('teams')
      .values({ id, workspace_id: ws, name: tidyTeamName(name), created_at: now })
      .execute();
    byName.set(key(name), id);
  }
}

/**
 * Owner rules whose team is blank or no team of the workspace are refused (400), naming it; so
 * is one for praise, which no problem is about (`complaintTopic`).
 */
export async function checkOwnerRules(
  trx: Kysely<DB>,
  ws: string,
  rules: readonly { team: string; topic?: string }[],
): Promise<void> {
  const byName = await teamsByName(trx, ws);
  for (const [i, r] of rules.entries()) {
    if (r.topic === 'praise')
      throw new AppError('bad_request', `ownerRules/${i}/topic: praise is not a complaint`);
    if (!r.team.trim())
      throw new AppError('bad_request', `ownerRules/${i}/team: must not be blank`);
    if (!byName.has(key(r.team)))
      throw new AppError(
        'bad_request',
        `ownerRules/${i}/team: no team named "${r.team}"; owner rules name existing teams`,
      );
  }
}

/**
 * The team a person names as a problem's owner (create, status update): the team row, so the
 * owner always limits who may change the problem (owner-team.ts). A free-text name that matched
 * no team left the problem ownerless to the permission check, open to every team's agents, while
 * it showed an owner. A blank or unknown name is refused (400), naming it; null clears the owner.
 * The name is stored as the team spells it.
 */
export async function ownerTeamNamed(
  trx: Kysely<DB>,
  ws: string,
  name: string | null,
): Promise<{ name: string | null; teamId: string | null }> {
  if (name === null) return { name: null, teamId: null };
  if (!name.trim())
    throw new AppError('bad_request', 'owner: must not be blank (null clears the owner)');
  const id = (await teamsByName(trx, ws)).get(key(name));
  if (!id)
    throw new AppError(
      'bad_request',
      `owner: no team named "${name.trim()}"; a problem's owner is one of the workspace's teams`,
    );
  const team = await trx
    .selectFrom('teams')
    .select('name')
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
  return { name: team.name, teamId: id };
}
