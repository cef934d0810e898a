import type { Logger } from 'pino';
import { customerRoutes } from '../customers/customer.routes.js';
import { routeOutcome } from '../ingest/pipeline/stages/route.js';
import type { BatchState } from '../ingest/pipeline/types.js';
import type { Database } from '../platform/db/database.js';
import type { Http } from '../platform/http/server.js';
import type { LiveBus } from '../platform/realtime/bus.js';
import { runAssignment } from '../routing/assign.js';
import { routingRoutes } from '../routing/routing.routes.js';

export interface CareDeps {
  database: Database;
  bus: LiveBus;
  clock: () => number;
  workspaceId: string;
  logger?: Logger;
}

/**
 * The care core wired as one unit, so the composition root adds it with three calls: its
 * routes, what happens after a pipeline batch commits, and its background scheduler.
 */
export function createCare(deps: CareDeps) {
  const { database, bus, clock, workspaceId } = deps;
  const skipLocked = database.caps.skipLocked;
  let assigning: Promise<unknown> = Promise.resolve();

  /** Runs automatic assignment; calls are chained so one node never races itself. */
  const assignNow = () => {
    assigning = assigning
      .then(() => runAssignment(database.db, workspaceId, clock(), skipLocked))
      .then((made) => {
        for (const m of made) {
          bus.publish({
            type: 'case.updated',
            workspaceId,
            data: { caseId: m.caseId, change: 'assigned', assigneeId: m.userId },
          });
        }
      })
      .catch((err) => deps.logger?.error({ err }, 'assignment failed'));
    return assigning;
  };

  return {
    routes(app: Http) {
      customerRoutes(app, { db: database.db, clock });
      routingRoutes(app, { db: database.db, bus, clock, skipLocked });
    },

    /** After a pipeline batch committed: live reputation alerts, assignment of new cases. */
    afterBatch(batch: BatchState) {
      const outcome = routeOutcome(batch);
      if (!outcome) return;
      for (const a of outcome.reputationAlerts) {
        bus.publish({ type: 'reputation.alert', workspaceId, data: { ...a } });
      }
      if (outcome.toAssign.length > 0) void assignNow();
    },

    assignNow,
  };
}

export type Care = ReturnType<typeof createCare>;
