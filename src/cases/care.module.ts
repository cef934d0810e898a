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
import { assignmentSweep, assignmentTrigger } from '../routing/assign.trigger.js';
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

  /**
   * Automatic assignment, coalesced (assign.trigger.ts): asked for after a pipeline batch with
   * new cases and after every change that frees room or changes who may take what.
   */
  const assignment = assignmentTrigger(async (scope) => {
    try {
      const made = await runAssignment(database.db, workspaceId, clock(), skipLocked, scope);
      for (const m of made) {
        bus.publish({
          type: 'case.updated',
          workspaceId,
          data: { caseId: m.caseId, change: 'assigned', assigneeId: m.userId },
        });
      }
    } catch (err) {
      deps.logger?.error({ err }, 'assignment failed');
    }
  });
  const requestAssignment = assignment.request;

  /** Runs automatic assignment over every automatic queue; resolves when it is done. */
  const assignNow = () => {
    requestAssignment();
    return assignment.settled();
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
    sweeps: [autoCloseSweep(workspaceId, deps.autoCloseMs), assignmentSweep(assignment)],
  });

  return {
    /** `senders`: whose rules (`Sender.check`) refuse a handoff's or macro's reply at once. */
    routes(app: Http, senders?: ReadonlyMap<string, Sender>) {
      customerRoutes(app, { db: database.db, clock });
      routingRoutes(app, {
        db: database.db,
        bus,
        clock,
        skipLocked,
        onAssignable: requestAssignment,
      });
      careRoutes(app, {
        onAssignable: requestAssignment,
        db: database.db,
        bus,
        clock,
        onOutbox: deps.onOutbox ?? (() => {}),
        publicUrl: deps.publicUrl,
        senders,
      });
      presenceRoutes(app, { db: database.db, bus, clock });
    },

    /** Due-time work: SLA at-risk/breach, promise reminders and deadlines, auto-close, the assignment sweep. */
    scheduler,

    /** After a pipeline batch committed: live reputation alerts, assignment of new cases. */
    afterBatch(batch: BatchState) {
      const outcome = routeOutcome(batch);
      if (!outcome) return;
      for (const a of outcome.reputationAlerts) {
        bus.publish({ type: 'reputation.alert', workspaceId, data: { ...a } });
      }
      if (outcome.toAssign.length > 0) requestAssignment();
    },

    assignNow,
    /** Asks for a coalesced assignment run after a committed change (see assign.trigger.ts). */
    requestAssignment,
    /** Resolves once the assignment runs asked for so far are done. */
    assignmentSettled: () => assignment.settled(),
  };
}

export type Care = ReturnType<typeof createCare>;
