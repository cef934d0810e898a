import { type Kysely, sql } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { AppError, notFound } from '../platform/errors.js';
import type { Actor } from '../platform/http/auth.js';
import { newId } from '../platform/ids.js';
import type { AssignScope } from './assign.trigger.js';

export interface AgentSlot {
  userId: string;
  capacity: number;
  load: number;
  lastAssignedAt: number | null;
  skills: { languages?: string[]; topics?: string[] };
}

export interface CaseToAssign {
  id: string;
  language: string | null;
  topic: string | null;
}

/** An agent may take a case when below capacity and, if they list skills, the case fits them. */
export function eligible(a: AgentSlot, c: CaseToAssign): boolean {
  if (a.load >= a.capacity) return false;
  const { languages, topics } = a.skills;
  if (languages?.length && c.language && c.language !== 'und' && !languages.includes(c.language)) {
    return false;
  }
  if (topics?.length && c.topic && !topics.includes(c.topic)) return false;
  return true;
}

/**
 * Picks the agent for a case, or null when nobody can take it (it waits in the queue).
 * - round_robin: the eligible agent who was assigned least recently (never-assigned first), so
 *   work rotates evenly whatever each agent's load;
 * - load_balanced: the eligible agent with the most free room relative to capacity, then the
 *   one assigned least recently.
 * Mutates the chosen slot (load, last assignment) so a loop over many cases stays fair.
 */
export function pickAgent(
  mode: string,
  agents: AgentSlot[],
  c: CaseToAssign,
  now: number,
): AgentSlot | null {
  const ok = agents.filter((a) => eligible(a, c));
  if (ok.length === 0) return null;
  const last = (a: AgentSlot) => a.lastAssignedAt ?? Number.NEGATIVE_INFINITY;
  ok.sort((x, y) => {
    if (mode === 'load_balanced') {
      const d = x.load / Math.max(1, x.capacity) - y.load / Math.max(1, y.capacity);
      if (d !== 0) return d;
    }
    return last(x) - last(y) || (x.userId < y.userId ? -1 : 1);
  });
  const chosen = ok[0];
  chosen.load++;
  // Strictly increasing, so two assignments in one millisecond still rotate.
  const latest = Math.max(...agents.map((a) => a.lastAssignedAt ?? 0));
  chosen.lastAssignedAt = Math.max(now, latest + 1);
  return chosen;
}

const PRIORITY_ORDER = sql<number>`case priority when 'urgent' then 0 when 'high' then 1 when 'normal' then 2 else 3 end`;

async function loadAgents(trx: Kysely<DB>, ws: string, queueId: string, lock: boolean) {
  let q = trx
    .selectFrom('agent_profiles')
    .innerJoin('queue_members', 'queue_members.user_id', 'agent_profiles.user_id')
    .innerJoin('users', 'users.id', 'agent_profiles.user_id')
    .select([
      'agent_profiles.user_id',
      'agent_profiles.capacity',
      'agent_profiles.skills_json',
      'agent_profiles.last_assigned_at',
    ])
    .where('queue_members.queue_id', '=', queueId)
    .where('agent_profiles.workspace_id', '=', ws)
    .where('agent_profiles.availability', '=', 'online')
    .where('users.disabled_at', 'is', null)
    .orderBy('agent_profiles.user_id');
  // Several nodes may assign at once: the agents' rows serialise them so capacity holds.
  if (lock) q = q.forUpdate();
  const rows = await q.execute();
  if (rows.length === 0) return [];
  const loads = await trx
    .selectFrom('cases')
    .select(['assignee_id', (eb) => eb.fn.countAll<number>().as('n')])
    .where('workspace_id', '=', ws)
    .where(
      'assignee_id',
      'in',
      rows.map((r) => r.user_id),
    )
    .where('status', 'in', ['new', 'open'])
    .groupBy('assignee_id')
    .execute();
  const load = new Map(loads.map((l) => [l.assignee_id, Number(l.n)]));
  return rows.map<AgentSlot>((r) => ({
    userId: r.user_id,
    capacity: r.capacity,
    load: load.get(r.user_id) ?? 0,
    lastAssignedAt: r.last_assigned_at === null ? null : Number(r.last_assigned_at),
    skills: JSON.parse(r.skills_json),
  }));
}

async function recordAssignment(
  trx: Kysely<DB>,
  ws: string,
  caseId: string,
  from: string | null,
  to: string | null,
  how: string,
  actor: { type: 'system' | 'user' | 'token'; id: string | null },
  now: number,
) {
  await trx
    .updateTable('cases')
    .set({ assignee_id: to, version: sql<number>`version + 1`, updated_at: now })
    .where('id', '=', caseId)
    .execute();
  await trx
    .insertInto('case_events')
    .values({
      id: newId(),
      workspace_id: ws,
      case_id: caseId,
      type: 'assigned',
      actor_type: actor.type,
      actor_id: actor.id,
      data_json: JSON.stringify({ from, to, how }),
      created_at: now,
      event_at: now,
    })
    .execute();
}

/**
 * Assigns waiting cases of every automatic queue (round-robin or load-balanced), or of those in
 * `scope` (the queues named and the queues of the agents named): most urgent first, then longest
 * waiting. Cases nobody can take stay unassigned in their queue. Returns the assignments made.
 */
export async function runAssignment(
  db: Kysely<DB>,
  ws: string,
  now: number,
  skipLocked: boolean,
  scope: AssignScope = null,
): Promise<{ caseId: string; userId: string }[]> {
  if (scope && scope.queueIds.length === 0 && scope.userIds.length === 0) return [];
  const queues = await db
    .selectFrom('queues')
    .select(['id', 'assignment_mode'])
    .where('workspace_id', '=', ws)
    .where('assignment_mode', '!=', 'manual')
    .$if(scope !== null, (q) =>
      q.where((eb) =>
        eb.or([
          ...(scope!.queueIds.length ? [eb('id', 'in', scope!.queueIds)] : []),
          ...(scope!.userIds.length
            ? [
                eb(
                  'id',
                  'in',
                  eb
                    .selectFrom('queue_members')
                    .select('queue_id')
                    .where('user_id', 'in', scope!.userIds),
                ),
              ]
            : []),
        ]),
      ),
    )
    .orderBy('id')
    .execute();
  const made: { caseId: string; userId: string }[] = [];
  for (const queue of queues) {
    await db.transaction().execute(async (trx) => {
      const agents = await loadAgents(trx, ws, queue.id, skipLocked);
      if (agents.length === 0) return;
      let q = trx
        .selectFrom('cases')
        .select(['id', 'language', 'topic'])
        .where('queue_id', '=', queue.id)
        .where('assignee_id', 'is', null)
        .where('status', 'in', ['new', 'open'])
        .orderBy(PRIORITY_ORDER)
        .orderBy('opened_at')
        .limit(500);
      if (skipLocked) q = q.forUpdate().skipLocked();
      const cases = await q.execute();
      const touched = new Set<AgentSlot>();
      for (const c of cases) {
        const agent = pickAgent(queue.assignment_mode, agents, c, now);
        if (!agent) continue;
        touched.add(agent);
        await recordAssignment(
          trx,
          ws,
          c.id,
          null,
          agent.userId,
          queue.assignment_mode,
          { type: 'system', id: 'assigner' },
          now,
        );
        made.push({ caseId: c.id, userId: agent.userId });
      }
      for (const a of touched) {
        await trx
          .updateTable('agent_profiles')
          .set({ last_assigned_at: a.lastAssignedAt })
          .where('user_id', '=', a.userId)
          .execute();
      }
    });
  }
  return made;
}

/**
 * Assigns one case now: to `userId` when given (manual; null unassigns), else by its queue's
 * mode among the queue's online agents with room. Returns the new assignee, the one before
 * (`from`, whose room it frees) and the case's queue.
 */
export async function assignCase(
  db: Kysely<DB>,
  actor: Actor,
  caseId: string,
  userId: string | null | undefined,
  now: number,
  skipLocked: boolean,
) {
  return db.transaction().execute(async (trx) => {
    const c = await trx
      .selectFrom('cases')
      .select(['id', 'queue_id', 'assignee_id', 'language', 'topic'])
      .where('workspace_id', '=', actor.workspaceId)
      .where('id', '=', caseId)
      .executeTakeFirst();
    if (!c) throw notFound('case');
    const who = { type: actor.type, id: actor.id };
    if (userId !== undefined) {
      if (userId !== null) {
        const u = await trx
          .selectFrom('users')
          .select('id')
          .where('workspace_id', '=', actor.workspaceId)
          .where('id', '=', userId)
          .where('disabled_at', 'is', null)
          .executeTakeFirst();
        if (!u) throw new AppError('bad_request', 'userId is not an active user');
      }
      if (userId !== c.assignee_id) {
        await recordAssignment(
          trx,
          actor.workspaceId,
          c.id,
          c.assignee_id,
          userId,
          'manual',
          who,
          now,
        );
      }
      return { assigneeId: userId, from: c.assignee_id, queueId: c.queue_id };
    }
    if (!c.queue_id) throw new AppError('invalid_transition', 'the case is in no queue');
    const queue = await trx
      .selectFrom('queues')
      .select('assignment_mode')
      .where('id', '=', c.queue_id)
      .executeTakeFirstOrThrow();
    const agents = await loadAgents(trx, actor.workspaceId, c.queue_id, skipLocked);
    const mode = queue.assignment_mode === 'manual' ? 'load_balanced' : queue.assignment_mode;
    const agent = pickAgent(mode, agents, c, now);
    if (!agent)
      throw new AppError('conflict', 'no online agent in the queue has room for this case');
    await recordAssignment(
      trx,
      actor.workspaceId,
      c.id,
      c.assignee_id,
      agent.userId,
      mode,
      who,
      now,
    );
    await trx
      .updateTable('agent_profiles')
      .set({ last_assigned_at: agent.lastAssignedAt })
      .where('user_id', '=', agent.userId)
      .execute();
    return { assigneeId: agent.userId, from: c.assignee_id, queueId: c.queue_id };
  });
}
