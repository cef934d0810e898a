import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import { iso } from '../cases/case.dto.js';
import type { DB } from '../platform/db/schema.js';
import { AppError, notFound } from '../platform/errors.js';
import type { Http } from '../platform/http/server.js';
import { newId } from '../platform/ids.js';
import type { LiveBus } from '../platform/realtime/bus.js';
import { assignCase, runAssignment } from './assign.js';
import { RuleConditions } from './rules.js';

const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const Mode = Type.Union([
  Type.Literal('manual'),
  Type.Literal('round_robin'),
  Type.Literal('load_balanced'),
]);
const Skills = Type.Object(
  {
    languages: Type.Optional(Type.Array(Type.String())),
    topics: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: false },
);
const admin = { roles: ['admin' as const, 'supervisor' as const] };

export interface RoutingRouteDeps {
  db: Kysely<DB>;
  bus: LiveBus;
  clock: () => number;
  skipLocked: boolean;
}

/** Queues, routing rules, agents (availability, capacity, skills), assignment, reputation alerts. */
export function routingRoutes(app: Http, deps: RoutingRouteDeps) {
  const { db, clock } = deps;

  app.get(
    '/api/v1/queues',
    { schema: { tags: ['routing'], summary: 'Queues with their assignment mode and members' } },
    async (req) => {
      const ws = req.actor.workspaceId;
      const [queues, members] = await Promise.all([
        db
          .selectFrom('queues')
          .selectAll()
          .where('workspace_id', '=', ws)
          .orderBy('name')
          .execute(),
        db.selectFrom('queue_members').selectAll().where('workspace_id', '=', ws).execute(),
      ]);
      return {
        items: queues.map((q) => ({
          id: q.id,
          name: q.name,
          teamId: q.team_id,
          isDefault: q.is_default === 1,
          assignmentMode: q.assignment_mode,
          members: members.filter((m) => m.queue_id === q.id).map((m) => m.user_id),
        })),
      };
    },
  );

  app.post(
    '/api/v1/queues',
    {
      config: admin,
      schema: {
        tags: ['routing'],
        summary: 'Create a queue',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            teamId: Type.Optional(Type.String()),
            assignmentMode: Type.Optional(Mode),
            members: Type.Optional(Type.Array(Type.String())),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const id = newId();
      const ws = req.actor.workspaceId;
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('queues')
          .values({
            id,
            workspace_id: ws,
            name: req.body.name,
            team_id: req.body.teamId ?? null,
            is_default: 0,
            created_at: clock(),
            assignment_mode: req.body.assignmentMode ?? 'manual',
          })
          .execute();
        await setMembers(trx, ws, id, req.body.members ?? []);
      });
      return reply.status(201).send({ id });
    },
  );

  app.patch(
    '/api/v1/queues/:id',
    {
      config: admin,
      schema: {
        tags: ['routing'],
        summary: 'Change a queue’s name, assignment mode or members',
        params: Id,
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            assignmentMode: Type.Optional(Mode),
            members: Type.Optional(Type.Array(Type.String())),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
      },
    },
    async (req) => {
      const ws = req.actor.workspaceId;
      await db.transaction().execute(async (trx) => {
        const q = await trx
          .selectFrom('queues')
          .select('id')
          .where('workspace_id', '=', ws)
          .where('id', '=', req.params.id)
          .executeTakeFirst();
        if (!q) throw notFound('queue');
        const set: Record<string, unknown> = {};
        if (req.body.name) set.name = req.body.name;
        if (req.body.assignmentMode) set.assignment_mode = req.body.assignmentMode;
        if (Object.keys(set).length) {
          await trx.updateTable('queues').set(set).where('id', '=', q.id).execute();
        }
        if (req.body.members) await setMembers(trx, ws, q.id, req.body.members);
      });
      return { ok: true };
    },
  );

  app.get(
    '/api/v1/routing-rules',
    { schema: { tags: ['routing'], summary: 'Routing rules, in the order they are tried' } },
    async (req) => {
      const rows = await db
        .selectFrom('routing_rules')
        .selectAll()
        .where('workspace_id', '=', req.actor.workspaceId)
        .orderBy('position')
        .orderBy('id')
        .execute();
      return {
        items: rows.map((r) => ({
          id: r.id,
          name: r.name,
          position: r.position,
          queueId: r.queue_id,
          enabled: r.enabled === 1,
          conditions: JSON.parse(r.conditions_json),
        })),
      };
    },
  );

  app.post(
    '/api/v1/routing-rules',
    {
      config: admin,
      schema: {
        tags: ['routing'],
        summary: 'Add a routing rule: the first matching rule chooses the queue of a new case',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            position: Type.Optional(Type.Integer()),
            queueId: Type.String(),
            conditions: RuleConditions,
            enabled: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const ws = req.actor.workspaceId;
      const q = await db
        .selectFrom('queues')
        .select('id')
        .where('workspace_id', '=', ws)
        .where('id', '=', req.body.queueId)
        .executeTakeFirst();
      if (!q) throw new AppError('bad_request', 'queueId is not a queue');
      const id = newId();
      await db
        .insertInto('routing_rules')
        .values({
          id,
          workspace_id: ws,
          name: req.body.name,
          position: req.body.position ?? 100,
          queue_id: q.id,
          conditions_json: JSON.stringify(req.body.conditions),
          enabled: req.body.enabled === false ? 0 : 1,
          created_at: clock(),
        })
        .execute();
      return reply.status(201).send({ id });
    },
  );

  app.delete(
    '/api/v1/routing-rules/:id',
    { config: admin, schema: { tags: ['routing'], summary: 'Remove a routing rule', params: Id } },
    async (req, reply) => {
      await db
        .deleteFrom('routing_rules')
        .where('workspace_id', '=', req.actor.workspaceId)
        .where('id', '=', req.params.id)
        .execute();
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/agents',
    {
      schema: { tags: ['routing'], summary: 'Agents with availability, capacity, skills and load' },
    },
    async (req) => {
      const ws = req.actor.workspaceId;
      const users = await db
        .selectFrom('users')
        .leftJoin('agent_profiles', 'agent_profiles.user_id', 'users.id')
        .select([
          'users.id',
          'users.name',
          'users.email',
          'agent_profiles.availability',
          'agent_profiles.capacity',
          'agent_profiles.skills_json',
          'agent_profiles.team_id',
        ])
        .where('users.workspace_id', '=', ws)
        .where('users.disabled_at', 'is', null)
        .execute();
      const loads = await db
        .selectFrom('cases')
        .select(['assignee_id', (eb) => eb.fn.countAll<number>().as('n')])
        .where('workspace_id', '=', ws)
        .where('status', 'in', ['new', 'open'])
        .where('assignee_id', 'is not', null)
        .groupBy('assignee_id')
        .execute();
      const load = new Map(loads.map((l) => [l.assignee_id, Number(l.n)]));
      return {
        items: users.map((u) => ({
          id: u.id,
          name: u.name,
          email: u.email,
          availability: u.availability ?? 'offline',
          capacity: u.capacity ?? 10,
          skills: JSON.parse(u.skills_json ?? '{}'),
          teamId: u.team_id ?? null,
          load: load.get(u.id) ?? 0,
        })),
      };
    },
  );

  app.put(
    '/api/v1/agents/:id',
    {
      schema: {
        tags: ['routing'],
        summary: 'Set an agent’s availability, capacity, skills and team',
        params: Id,
        body: Type.Object(
          {
            availability: Type.Optional(
              Type.Union([Type.Literal('online'), Type.Literal('away'), Type.Literal('offline')]),
            ),
            capacity: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000 })),
            skills: Type.Optional(Skills),
            teamId: Type.Optional(Type.Union([Type.String(), Type.Null()])),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const ws = req.actor.workspaceId;
      // Agents set their own availability; supervisors and admins set anyone's.
      if (req.actor.role === 'agent' && req.actor.id !== req.params.id) {
        throw new AppError('forbidden', 'agents may only change their own availability');
      }
      const user = await db
        .selectFrom('users')
        .select('id')
        .where('workspace_id', '=', ws)
        .where('id', '=', req.params.id)
        .executeTakeFirst();
      if (!user) throw notFound('user');
      const now = clock();
      const current = await db
        .selectFrom('agent_profiles')
        .selectAll()
        .where('user_id', '=', user.id)
        .executeTakeFirst();
      const row = {
        user_id: user.id,
        workspace_id: ws,
        availability: req.body.availability ?? current?.availability ?? 'offline',
        capacity: req.body.capacity ?? current?.capacity ?? 10,
        skills_json: req.body.skills
          ? JSON.stringify(req.body.skills)
          : (current?.skills_json ?? '{}'),
        team_id: req.body.teamId !== undefined ? req.body.teamId : (current?.team_id ?? null),
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
      deps.bus.publish({ type: 'agent.updated', workspaceId: ws, data: { userId: user.id } });
      // An agent coming online may take waiting cases straight away.
      if (row.availability === 'online') await runAssignment(db, ws, now, deps.skipLocked);
      return { ok: true };
    },
  );

  app.post(
    '/api/v1/cases/:id/assign',
    {
      schema: {
        tags: ['routing'],
        summary: 'Assign now: to a given agent (manual) or by the queue’s mode',
        params: Id,
        body: Type.Object(
          { userId: Type.Optional(Type.Union([Type.String(), Type.Null()])) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const r = await assignCase(
        db,
        req.actor,
        req.params.id,
        req.body.userId,
        clock(),
        deps.skipLocked,
      );
      deps.bus.publish({
        type: 'case.updated',
        workspaceId: req.actor.workspaceId,
        data: { caseId: req.params.id, change: 'assigned' },
      });
      return r;
    },
  );

  app.get(
    '/api/v1/reputation-alerts',
    {
      schema: {
        tags: ['routing'],
        summary: 'High-reach posts for the communications team (no effect on the care queue)',
        querystring: Type.Object({ open: Type.Optional(Type.Boolean()) }),
      },
    },
    async (req) => {
      const rows = await db
        .selectFrom('reputation_alerts')
        .selectAll()
        .where('workspace_id', '=', req.actor.workspaceId)
        .$if(req.query.open === true, (q) => q.where('acknowledged_at', 'is', null))
        .orderBy('sent_at', 'desc')
        .limit(200)
        .execute();
      return {
        items: rows.map((r) => ({
          id: r.id,
          customerId: r.customer_id,
          caseId: r.case_id,
          channel: r.channel,
          externalId: r.external_id,
          followers: Number(r.followers),
          excerpt: r.excerpt,
          sentAt: iso(r.sent_at),
          acknowledgedAt: iso(r.acknowledged_at),
        })),
      };
    },
  );

  app.post(
    '/api/v1/reputation-alerts/:id/acknowledge',
    { schema: { tags: ['routing'], summary: 'Acknowledge a reputation alert', params: Id } },
    async (req) => {
      await db
        .updateTable('reputation_alerts')
        .set({ acknowledged_at: clock(), acknowledged_by: req.actor.id })
        .where('workspace_id', '=', req.actor.workspaceId)
        .where('id', '=', req.params.id)
        .execute();
      return { ok: true };
    },
  );
}

async function setMembers(trx: Kysely<DB>, ws: string, queueId: string, members: string[]) {
  await trx.deleteFrom('queue_members').where('queue_id', '=', queueId).execute();
  if (members.length === 0) return;
  const users = await trx
    .selectFrom('users')
    .select('id')
    .where('workspace_id', '=', ws)
    .where('id', 'in', members)
    .execute();
  if (users.length !== new Set(members).size) {
    throw new AppError('bad_request', 'members must be users of this workspace');
  }
  await trx
    .insertInto('queue_members')
    .values(users.map((u) => ({ queue_id: queueId, user_id: u.id, workspace_id: ws })))
    .execute();
}
