import { Type } from '@sinclair/typebox';
import { INT4 } from '../platform/db/int-range.js';
import { AppError, notFound } from '../platform/errors.js';
import { Created, NoContent } from '../platform/http/responses.js';
import type { Http } from '../platform/http/server.js';
import { newId } from '../platform/ids.js';
import type { RoutingRouteDeps } from './routing.routes.js';
import { admin, Id } from './routing.schema.js';
import { checkConditions, RuleConditions } from './rules.js';

/** Routing rules: conditions to a queue, priority or skills. */
export function ruleRoutes(app: Http, deps: RoutingRouteDeps) {
  const { db, clock } = deps;

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
        response: { 201: Created() },
        tags: ['routing'],
        summary: 'Add a routing rule: the first matching rule chooses the queue of a new case',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            position: Type.Optional(Type.Integer(INT4)),
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
      checkConditions(req.body.conditions);
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
    {
      config: admin,
      schema: {
        response: { 204: NoContent },
        tags: ['routing'],
        summary: 'Remove a routing rule',
        params: Id,
      },
    },
    async (req, reply) => {
      const r = await db
        .deleteFrom('routing_rules')
        .where('workspace_id', '=', req.actor.workspaceId)
        .where('id', '=', req.params.id)
        .executeTakeFirst();
      // A mistyped id must not look removed.
      if (Number(r.numDeletedRows) === 0) throw notFound('routing rule');
      return reply.status(204).send(null);
    },
  );
}
