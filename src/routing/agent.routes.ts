import { Type } from '@sinclair/typebox';
import { AppError } from '../platform/errors.js';
import type { Http } from '../platform/http/server.js';
import { Nullable } from '../platform/nullable.js';
import { saveAgentProfile } from './agent.service.js';
import type { RoutingRouteDeps } from './routing.routes.js';
import { Id, Skills } from './routing.schema.js';

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
      const saved = await saveAgentProfile(db, ws, req.params.id, req.body, clock());
      deps.bus.publish({ type: 'agent.updated', workspaceId: ws, data: { userId: saved.userId } });
      // Online (back from away, or a capacity raised, skills widened): their queues' waiting
      // cases get another chance, after this write, in the next coalesced run.
      if (saved.availability === 'online') deps.onAssignable?.({ userIds: [saved.userId] });
      return { ok: true };
    },
  );
}
