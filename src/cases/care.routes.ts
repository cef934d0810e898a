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
import type { AssignRequest } from '../routing/assign.trigger.js';
import { slaRoutes } from '../sla/sla.routes.js';
import { handoff } from './case.handoff.js';
import { sendersCheck } from './case.reply.js';
import { caseGroupRoutes } from './case-groups.routes.js';

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
  /** Asks for automatic assignment after a change that frees an agent's room (a macro's). */
  onAssignable?: AssignRequest;
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
  caseGroupRoutes(app, deps);
}
