import type { App } from '../app.js';
import { createUser } from '../platform/auth/users.js';
import type { Actor } from '../platform/http/auth.js';
import { saveAgentProfile } from '../routing/agent.service.js';
import type { AgentSlot } from '../routing/assign.js';
import { updateQueue } from '../routing/queue.routes.js';

/**
 * The demo brand's care team: the agents who sign the simulated replies (texts.agent.ts names
 * them), in the seeded teams, all members of the default queue. Most are online with room for
 * work; one is away and one off shift, as on any real desk. Billing specialists take billing only.
 */
const STAFF = [
  { name: 'Dana Reyes', team: 'Care desk', availability: 'online', capacity: 8 },
  { name: 'Jay Whitaker', team: 'Care desk', availability: 'online', capacity: 8 },
  { name: 'Marisol Vega', team: 'Care desk', availability: 'online', capacity: 8 },
  { name: 'Ken Okafor', team: 'Care desk', availability: 'online', capacity: 6 },
  { name: 'Priti Shah', team: 'Care desk', availability: 'online', capacity: 8 },
  { name: 'Sam Lindqvist', team: 'Care desk', availability: 'away', capacity: 8 },
  { name: 'Lou Moreau', team: 'Contact-centre operations', availability: 'online', capacity: 6 },
  { name: 'Ada Nwosu', team: 'Contact-centre operations', availability: 'online', capacity: 6 },
  { name: 'Rico Alvarado', team: 'Billing', availability: 'online', capacity: 6, billing: true },
  { name: 'Tess Gallagher', team: 'Billing', availability: 'offline', capacity: 6, billing: true },
] as const;

export interface DemoStaff {
  /** Each agent as the actor their work is recorded under, by user id. */
  agents: Map<string, Actor>;
  /** The online agents as routing sees them (capacity, skills), for picking who took a case. */
  slots: AgentSlot[];
  queueId: string;
}

/**
 * Creates the demo's agents and puts them on the default queue (assignment still manual).
 * `passwordHash`: the one unseen secret's hash (`hashPassword`), started by the caller early so
 * its scrypt runs beside the ingest; nobody signs in as a demo agent until an admin resets their
 * password (`POST /api/v1/users/:id/password-reset` or `user password-reset`: README).
 */
export async function staffDemo(app: App, passwordHash: Promise<string>): Promise<DemoStaff> {
  const { db } = app.database;
  const ws = app.workspace.workspaceId;
  const now = Date.now();
  const teams = await db
    .selectFrom('teams')
    .select(['id', 'name'])
    .where('workspace_id', '=', ws)
    .execute();
  const teamId = (name: string) => teams.find((t) => t.name === name)?.id ?? null;
  const agents = new Map<string, Actor>();
  const slots: AgentSlot[] = [];
  for (const s of STAFF) {
    const first = s.name.split(' ')[0].toLowerCase();
    const { id } = await createUser(
      db,
      {
        workspaceId: ws,
        email: `${first}@kestrel.example`,
        name: s.name,
        role: 'agent',
        password: '',
        // One hash for all: a scrypt each would double the demo's load time.
        passwordHash: await passwordHash,
        mustChangePassword: true,
      },
      now,
    );
    await saveAgentProfile(
      db,
      ws,
      id,
      {
        availability: s.availability,
        capacity: s.capacity,
        teamId: teamId(s.team),
        ...('billing' in s ? { skills: { topics: ['billing'] } } : {}),
      },
      now,
    );
    agents.set(id, { type: 'user', id, name: s.name, role: 'agent', workspaceId: ws });
    if (s.availability === 'online')
      slots.push({
        userId: id,
        capacity: s.capacity,
        load: 0,
        lastAssignedAt: null,
        skills: 'billing' in s ? { topics: ['billing'] } : {},
      });
  }
  const queue = await db
    .selectFrom('queues')
    .select('id')
    .where('workspace_id', '=', ws)
    .where('is_default', '=', 1)
    .executeTakeFirstOrThrow();
  await updateQueue(db, ws, queue.id, { members: [...agents.keys()] });
  return { agents, slots, queueId: queue.id };
}
