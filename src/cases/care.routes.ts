import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import type { Sender } from '../channels/sender.js';
import { csatRoutes } from '../csat/csat.routes.js';
import { macroRoutes } from '../macros/macro.routes.js';
import type { DB } from '../platform/db/schema.js';
import { Json, ReplyRefused, VersionConflict } from '../platform/http/responses.js';
import type { Http } from '../platform/http/server.js';
import type { LiveBus } from '../platform/realtime/bus.js';
import { promiseRoutes } from '../promises/promise.routes.js';
import { slaRoutes } from '../sla/sla.routes.js';
import { handoff } from './case.handoff.js';
import { sendersCheck } from './case.reply.js';

const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

export interface CareRouteDeps {
  db: Kysely<DB>;
  bus: LiveBus;
  clock: () => number;
  onOutbox: () => void;
  /** Base of links sent to customers (CSAT survey pages). */
  publicUrl: string;
  /** Senders by channel kind: their `check` refuses a reply the channel cannot carry, at once. */
  senders?: ReadonlyMap<string, Sender>;
}

/** Promises, SLA admin and clocks, CSAT, canned replies, macros, handoff, surge groups. */
export function careRoutes(app: Http, deps: CareRouteDeps) {
  const { db, clock } = deps;
  const changed = (workspaceId: string, caseId: string, change: string) =>
    deps.bus.publish({ type: 'case.updated', workspaceId, data: { caseId, change } });

  promiseRoutes(app, deps);
  slaRoutes(app, deps);
  csatRoutes(app, deps);
  macroRoutes(app, deps);

  // --- handoff
  app.post(
    '/api/v1/cases/:id/handoff',
    {
      schema: {
        response: { 200: Json(), 409: VersionConflict, 422: ReplyRefused },
        tags: ['cases'],
        summary: 'Public → private: DM link reply on X, or move the case to phone, SMS or email',
        params: Id,
        body: Type.Object(
          {
            to: Type.Union(['dm', 'voice', 'sms', 'email'].map((s) => Type.Literal(s))),
            text: Type.Optional(Type.String({ maxLength: 20_000 })),
            address: Type.Optional(Type.String({ maxLength: 320 })),
            expectedVersion: Type.Optional(Type.Integer()),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const now = clock();
      const check = sendersCheck(deps.senders, now);
      const r = await handoff(db, req.actor, req.params.id, req.body as never, now, check);
      deps.onOutbox();
      changed(req.actor.workspaceId, req.params.id, 'handoff');
      return r;
    },
  );

  // --- surges
  app.get(
    '/api/v1/case-groups',
    {
      schema: {
        tags: ['cases'],
        summary: 'Open cases grouped by surge key (and problem), largest first',
        querystring: Type.Object({ queue: Type.Optional(Type.String()) }),
      },
    },
    async (req) => {
      const rows = await db
        .selectFrom('cases')
        .select([
          'group_key',
          'problem_id',
          (eb) => eb.fn.countAll<number>().as('n'),
          (eb) => eb.fn.min('opened_at').as('since'),
        ])
        .where('workspace_id', '=', req.actor.workspaceId)
        .where('status', 'in', ['new', 'open', 'pending'])
        .where((eb) => eb.or([eb('group_key', 'is not', null), eb('problem_id', 'is not', null)]))
        .$if(!!req.query.queue, (q) => q.where('queue_id', '=', req.query.queue!))
        .groupBy(['group_key', 'problem_id'])
        .orderBy('n', 'desc')
        .limit(100)
        .execute();
      return {
        items: rows.map((r) => ({
          groupKey: r.group_key,
          problemId: r.problem_id,
          openCases: Number(r.n),
          since: new Date(Number(r.since)).toISOString(),
        })),
      };
    },
  );
}
