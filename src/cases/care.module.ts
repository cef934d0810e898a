import type { Logger } from 'pino';
import type { Sender } from '../channels/sender.js';
import { customerRoutes } from '../customers/customer.routes.js';
import { routeOutcome } from '../ingest/pipeline/stages/route.js';
import type { BatchState } from '../ingest/pipeline/types.js';
import type { Database } from '../platform/db/database.js';
import type { Http } from '../platform/http/server.js';
import { Scheduler } from '../platform/jobs/scheduler.js';
import type { LiveBus } from '../platform/realtime/bus.js';
import { presenceRoutes } from '../presence/presence.routes.js';
import { promiseTimer } from '../promises/promise.service.js';
import { runAssignment } from '../routing/assign.js';
import { routingRoutes } from '../routing/routing.routes.js';
import { slaTimers } from '../sla/sla.jobs.js';
import { autoCloseSweep } from './auto-close.js';
import { careRoutes } from './care.routes.js';

export interface CareDeps {
  database: Database;
  bus: LiveBus;
  clock: () => number;
  workspaceId: string;
  logger?: Logger;
  /** Resolved cases close after this long without a message (default: the reopen window). */
  autoCloseMs: number;
  /** Wakes the outbox worker after replies were queued. */
  onOutbox?: () => void;
  /** Base of links sent to customers (CSAT survey pages). */
  publicUrl: string;
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

  const scheduler = new Scheduler({
    database,
    bus,
    clock,
    logger: deps.logger,
    handlers: {
      'sla.at_risk': slaTimers,
      'sla.breach': slaTimers,
      'promise.remind': promiseTimer,
      'promise.due': promiseTimer,
    },
    sweeps: [autoCloseSweep(workspaceId, deps.autoCloseMs)],
  });

  return {
    /** `senders`: whose rules (`Sender.check`) refuse a handoff's or macro's reply at once. */
    routes(app: Http, senders?: ReadonlyMap<string, Sender>) {
      customerRoutes(app, { db: database.db, clock });
      routingRoutes(app, { db: database.db, bus, clock, skipLocked });
      careRoutes(app, {
        db: database.db,
        bus,
        clock,
        onOutbox: deps.onOutbox ?? (() => {}),
        publicUrl: deps.publicUrl,
        senders,
      });
      presenceRoutes(app, { db: database.db, bus, clock });
    },

    /** Due-time work: SLA at-risk/breach, promise reminders and deadlines, auto-close. */
    scheduler,

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
