import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import { iso } from '../cases/case.dto.js';
import type { DB } from '../platform/db/schema.js';
import { notFound } from '../platform/errors.js';
import { Json, Refusal, Refused } from '../platform/http/responses.js';
import type { Http } from '../platform/http/server.js';
import { Nullable } from '../platform/nullable.js';
import type { LiveBus } from '../platform/realtime/bus.js';
import { agentRoutes } from './agent.routes.js';
import { assignCase } from './assign.js';
import type { AssignRequest } from './assign.trigger.js';
import { queueRoutes } from './queue.routes.js';
import { Id } from './routing.schema.js';
import { ruleRoutes } from './rule.routes.js';
import { teamRoutes } from './team.routes.js';

export interface RoutingRouteDeps {
  db: Kysely<DB>;
  bus: LiveBus;
  clock: () => number;
  skipLocked: boolean;
  /** Asks for automatic assignment after a change that frees room or changes who may take what. */
  onAssignable?: AssignRequest;
}

/** Queues, routing rules, agents (availability, capacity, skills), teams, assignment, reputation alerts. */
export function routingRoutes(app: Http, deps: RoutingRouteDeps) {
  const { db, clock } = deps;
  queueRoutes(app, deps);
  ruleRoutes(app, deps);
  agentRoutes(app, deps);
  teamRoutes(app, deps);

  app.post(
    '/api/v1/cases/:id/assign',
    {
      schema: {
        response: {
          200: Json(),
          409: Refusal('conflict: no online agent in the queue has room for this case'),
          422: Refused('the case is in no queue'),
        },
        tags: ['routing'],
        summary: 'Assign now: to a given agent (manual) or by the queue’s mode',
        params: Id,
        body: Type.Object(
          { userId: Type.Optional(Nullable(Type.String())) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const { assigneeId, from, queueId } = await assignCase(
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
      // Unassigned (it waits in its queue again) or moved: the one it left has room again.
      if (from !== assigneeId) deps.onAssignable?.({ queueIds: [queueId], userIds: [from] });
      return { assigneeId };
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
      const r = await db
        .updateTable('reputation_alerts')
        .set({ acknowledged_at: clock(), acknowledged_by: req.actor.id })
        .where('workspace_id', '=', req.actor.workspaceId)
        .where('id', '=', req.params.id)
        .executeTakeFirst();
      // A mistyped id must not look acknowledged.
      if (Number(r.numUpdatedRows) === 0) throw notFound('reputation alert');
      return { ok: true };
    },
  );
}
