import { Type } from '@sinclair/typebox';
import { AppError, notFound } from '../platform/errors.js';
import type { Http } from '../platform/http/server.js';
import { Nullable } from '../platform/nullable.js';
import type { RoutingRouteDeps } from './routing.routes.js';
import { assertTeam, Id, Skills } from './routing.schema.js';

/** Agents: availability, capacity and skills. */
export function agentRoutes(app: Http, deps: RoutingRouteDeps) {
  const { db, clock } = deps;

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
            teamId: Type.Optional(Nullable(Type.String())),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const ws = req.actor.workspaceId;
      // Agents set their own availability and nothing else: team, capacity and skills decide
      // what work (and which problems) they may take, so only supervisors and admins set those.
      if (req.actor.role === 'agent') {
        const others = Object.keys(req.body).filter((k) => k !== 'availability');
        if (req.actor.id !== req.params.id || others.length > 0) {
          throw new AppError('forbidden', 'agents may only change their own availability');
        }
      }
      const user = await db
        .selectFrom('users')
        .select('id')
        .where('workspace_id', '=', ws)
        .where('id', '=', req.params.id)
        .executeTakeFirst();
      if (!user) throw notFound('user');
      // A team that does not exist would be stored as a dangling id.
      if (req.body.teamId) await assertTeam(db, ws, req.body.teamId);
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
      // Online (back from away, or a capacity raised, skills widened): their queues' waiting
      // cases get another chance, after this write, in the next coalesced run.
      if (row.availability === 'online') deps.onAssignable?.({ userIds: [user.id] });
      return { ok: true };
    },
  );
}
