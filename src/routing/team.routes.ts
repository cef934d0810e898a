import { Type } from '@sinclair/typebox';
import type { Http } from '../platform/http/server.js';
import type { RoutingRouteDeps } from './routing.routes.js';

const TeamDto = Type.Object({
  id: Type.String(),
  name: Type.String({
    description: 'what routing rules, owner rules and problem owners name it by (any case)',
  }),
  createdAt: Type.String(),
  members: Type.Array(
    Type.Object({ id: Type.String(), name: Type.String(), email: Type.String() }),
    {
      description:
        'enabled users whose agent profile names this team (`PUT /api/v1/agents/:id` `teamId`), by name',
    },
  ),
});

/**
 * `GET /api/v1/teams`: the teams routing rules, queues, agents and problem owners name, so a
 * client can discover them. Readable by every desk role, as the agents and queues lists are (an
 * integration token is refused, as everywhere but ingest). A team has no lead in the model: a
 * team is a name that agents and queues point at. Paged by id (oldest first for ids the desk
 * makes: UUIDv7).
 */
export function teamRoutes(app: Http, deps: RoutingRouteDeps) {
  const { db } = deps;
  app.get(
    '/api/v1/teams',
    {
      schema: {
        tags: ['routing'],
        summary: 'Teams with their members',
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
          cursor: Type.Optional(Type.String({ maxLength: 64 })),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(TeamDto),
            nextCursor: Type.Union([Type.String(), Type.Null()]),
          }),
        },
      },
    },
    async (req) => {
      const ws = req.actor.workspaceId;
      const limit = req.query.limit ?? 50;
      // An empty cursor is the first page, as on the other lists.
      const cursor = req.query.cursor || undefined;
      const rows = await db
        .selectFrom('teams')
        .select(['id', 'name', 'created_at'])
        .where('workspace_id', '=', ws)
        .$if(cursor !== undefined, (q) => q.where('id', '>', cursor!))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      const page = rows.slice(0, limit);
      const members =
        page.length === 0
          ? []
          : await db
              .selectFrom('agent_profiles')
              .innerJoin('users', 'users.id', 'agent_profiles.user_id')
              .select(['agent_profiles.team_id', 'users.id', 'users.name', 'users.email'])
              .where('agent_profiles.workspace_id', '=', ws)
              .where(
                'agent_profiles.team_id',
                'in',
                page.map((t) => t.id),
              )
              .where('users.disabled_at', 'is', null)
              .orderBy('users.name')
              .orderBy('users.id')
              .execute();
      return {
        items: page.map((t) => ({
          id: t.id,
          name: t.name,
          createdAt: new Date(Number(t.created_at)).toISOString(),
          members: members
            .filter((m) => m.team_id === t.id)
            .map((m) => ({ id: m.id, name: m.name, email: m.email })),
        })),
        nextCursor: rows.length > limit ? page[page.length - 1].id : null,
      };
    },
  );
}
