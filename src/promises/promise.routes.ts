import { Type } from '@sinclair/typebox';
import type { CareRouteDeps } from '../cases/care.routes.js';
import type { PromiseStatus } from '../cases/care.schema.js';
import { listFilter } from '../platform/http/list-filter.js';
import { Created, Json, Refused } from '../platform/http/responses.js';
import type { Http } from '../platform/http/server.js';
import { Nullable } from '../platform/nullable.js';
import {
  createPromise,
  PROMISE_KINDS,
  promiseStats,
  settlePromise,
  toPromiseDto,
} from '../promises/promise.service.js';

const PROMISE_STATUSES: readonly PromiseStatus[] = ['open', 'kept', 'broken', 'cancelled'];
const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
const DateTime = Type.String({ format: 'date-time' });

/** Promises on cases: record, list, settle, and kept/broken statistics. */
export function promiseRoutes(app: Http, deps: CareRouteDeps) {
  const { db, clock } = deps;
  const changed = (workspaceId: string, caseId: string, change: string) =>
    deps.bus.publish({ type: 'case.updated', workspaceId, data: { caseId, change } });

  app.post(
    '/api/v1/cases/:id/promises',
    {
      schema: {
        response: { 201: Created() },
        tags: ['promises'],
        summary: 'Record a promise (callback, follow-up, credit) with a deadline and an owner',
        params: Id,
        body: Type.Object(
          {
            kind: Type.Union(PROMISE_KINDS.map((k) => Type.Literal(k))),
            description: Type.String({ minLength: 1, maxLength: 2000 }),
            dueAt: DateTime,
            remindAt: Type.Optional(Type.Union([DateTime, Type.Null()])),
            channel: Type.Optional(Type.String()),
            address: Type.Optional(Type.String()),
            ownerUserId: Type.Optional(Nullable(Type.String())),
            ownerTeamId: Type.Optional(Type.String()),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const b = req.body;
      const p = await createPromise(
        db,
        req.actor,
        req.params.id,
        {
          ...b,
          dueAt: Date.parse(b.dueAt),
          remindAt: b.remindAt === null ? null : b.remindAt ? Date.parse(b.remindAt) : undefined,
        },
        clock(),
      );
      changed(req.actor.workspaceId, req.params.id, 'promise');
      return reply.status(201).send(p);
    },
  );

  app.get(
    '/api/v1/promises',
    {
      schema: {
        tags: ['promises'],
        summary: 'Promises, soonest due first',
        querystring: Type.Object({
          status: Type.Optional(Type.String({ description: 'comma-separated statuses' })),
          case: Type.Optional(Type.String()),
          owner: Type.Optional(Type.String()),
        }),
      },
    },
    async (req) => {
      const status = listFilter('status', req.query.status, PROMISE_STATUSES);
      const rows = await db
        .selectFrom('promises')
        .selectAll()
        .where('workspace_id', '=', req.actor.workspaceId)
        .$if(!!status, (q) => q.where('status', 'in', status!))
        .$if(!!req.query.case, (q) => q.where('case_id', '=', req.query.case!))
        .$if(!!req.query.owner, (q) => q.where('owner_user_id', '=', req.query.owner!))
        .orderBy('due_at')
        .limit(500)
        .execute();
      return { items: rows.map(toPromiseDto) };
    },
  );

  app.post(
    '/api/v1/promises/:id/:outcome',
    {
      schema: {
        response: { 200: Json(), 422: Refused('the promise is already kept, broken or cancelled') },
        tags: ['promises'],
        summary: 'Mark a promise kept (with how) or cancelled (with why)',
        params: Type.Object({
          id: Type.String(),
          outcome: Type.Union([Type.Literal('keep'), Type.Literal('cancel')]),
        }),
        body: Type.Object(
          { how: Type.String({ minLength: 1, maxLength: 2000 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (req) =>
      settlePromise(
        db,
        req.actor,
        req.params.id,
        req.params.outcome === 'keep' ? 'kept' : 'cancelled',
        req.body.how,
        clock(),
      ),
  );

  app.get(
    '/api/v1/promises/stats',
    {
      schema: {
        tags: ['promises'],
        summary: 'Kept, broken and cancelled promises per team and agent (by due time)',
        querystring: Type.Object({ from: Type.Optional(DateTime), to: Type.Optional(DateTime) }),
      },
    },
    async (req) => ({
      items: await promiseStats(
        db,
        req.actor.workspaceId,
        req.query.from ? Date.parse(req.query.from) : 0,
        req.query.to ? Date.parse(req.query.to) : Number.MAX_SAFE_INTEGER,
      ),
    }),
  );
}
