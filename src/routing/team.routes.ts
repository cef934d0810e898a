import { Type } from '@sinclair/typebox';
import { AppError, badRequest, notFound } from '../platform/errors.js';
import type { Http } from '../platform/http/server.js';
import { newId } from '../platform/ids.js';
import { teamNameKey, tidyTeamName } from '../problems/owner-teams.js';
import type { RoutingRouteDeps } from './routing.routes.js';
import { admin, Id } from './routing.schema.js';
import { assertLead, TEAM_COLUMNS, TeamDto, teamDtos } from './team.store.js';

/**
 * `GET /api/v1/teams`: the teams routing rules, queues, agents and problem owners name, so a
 * client can discover them. Readable by every desk role, as the agents and queues lists are (an
 * integration token is refused, as everywhere but ingest). Paged by id (oldest first for ids the
 * desk makes: UUIDv7). `POST /api/v1/teams` adds a team (owner rules, routing rules and queues
 * name only teams that exist); `PATCH /api/v1/teams/:id` names a team's lead, who answers for its
 * problems (both for admins and supervisors, who set agents' teams and make queues too).
 */
export function teamRoutes(app: Http, deps: RoutingRouteDeps) {
  const { db, clock } = deps;
  app.get(
    '/api/v1/teams',
    {
      schema: {
        tags: ['routing'],
        summary: 'Teams with their lead and members',
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
        .select(TEAM_COLUMNS)
        .where('workspace_id', '=', ws)
        .$if(cursor !== undefined, (q) => q.where('id', '>', cursor!))
        .orderBy('id')
        .limit(limit + 1)
        .execute();
      const page = rows.slice(0, limit);
      return {
        items: await teamDtos(db, ws, page),
        nextCursor: rows.length > limit ? page[page.length - 1].id : null,
      };
    },
  );

  app.post(
    '/api/v1/teams',
    {
      config: admin,
      schema: {
        tags: ['routing'],
        summary: 'Add a team (with its lead, if named)',
        body: Type.Object(
          {
            name: Type.String({
              minLength: 1,
              maxLength: 100,
              description:
                'unique in the workspace, case and surrounding spaces aside: owner rules and problem owners name teams by it',
            }),
            leadUserId: Type.Optional(
              Type.Union([Type.Null(), Type.String({ maxLength: 64 })], {
                description: 'an enabled user of the workspace',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: TeamDto },
      },
    },
    async (req, reply) => {
      const ws = req.actor.workspaceId;
      const name = tidyTeamName(req.body.name);
      // Control and format characters (a zero-width space, a bidirectional override) would make
      // a second team that reads exactly like another.
      if (!name || /[\p{Cc}\p{Cf}]/u.test(name))
        throw badRequest('name: must be a visible name, not blank');
      const leadId = req.body.leadUserId ?? null;
      const id = newId();
      await db.transaction().execute(async (trx) => {
        // Two requests adding one name at once: the workspace row, locked, takes them in turn
        // (SQLite has one writer at a time already).
        if (deps.skipLocked)
          await trx
            .selectFrom('workspaces')
            .select('id')
            .where('id', '=', ws)
            .forUpdate()
            .execute();
        const same = await trx
          .selectFrom('teams')
          .select(['id', 'name'])
          .where('workspace_id', '=', ws)
          .execute();
        const taken = same.find((t) => teamNameKey(t.name) === teamNameKey(name));
        if (taken)
          throw new AppError('conflict', `a team named "${taken.name}" exists`, {
            teamId: taken.id,
          });
        if (leadId !== null) await assertLead(trx, ws, leadId);
        await trx
          .insertInto('teams')
          .values({ id, workspace_id: ws, name, created_at: clock(), lead_user_id: leadId })
          .execute();
      });
      const row = await db
        .selectFrom('teams')
        .select(TEAM_COLUMNS)
        .where('workspace_id', '=', ws)
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      return reply.status(201).send((await teamDtos(db, ws, [row]))[0]);
    },
  );

  app.patch(
    '/api/v1/teams/:id',
    {
      config: admin,
      schema: {
        tags: ['routing'],
        summary: 'Name (or clear) a team’s lead',
        params: Id,
        body: Type.Object(
          {
            leadUserId: Type.Union([
              Type.Null(),
              Type.String({
                maxLength: 64,
                description: 'an enabled user of the workspace; null clears',
              }),
            ]),
          },
          { additionalProperties: false },
        ),
        response: { 200: TeamDto },
      },
    },
    async (req) => {
      const ws = req.actor.workspaceId;
      const leadId = req.body.leadUserId;
      if (leadId !== null) await assertLead(db, ws, leadId);
      const res = await db
        .updateTable('teams')
        .set({ lead_user_id: leadId })
        .where('workspace_id', '=', ws)
        .where('id', '=', req.params.id)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) throw notFound('team');
      const row = await db
        .selectFrom('teams')
        .select(TEAM_COLUMNS)
        .where('workspace_id', '=', ws)
        .where('id', '=', req.params.id)
        .executeTakeFirstOrThrow();
      return (await teamDtos(db, ws, [row]))[0];
    },
  );
}
