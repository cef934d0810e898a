import type { StaffMailer } from '../channels/email/email.staff.js';
import type { Sender } from '../channels/sender.js';
import { attachDetector } from '../ingest/pipeline/stages/detect.js';
import type { PipelineSettings } from '../ingest/pipeline/types.js';
import { escalationHandler } from '../integrations/dispatch.js';
import { notifyHandler } from '../notify/notify.handler.js';
import type { Database } from '../platform/db/database.js';
import type { OutboxHandler } from '../platform/outbox/outbox.worker.js';
import type { LiveBus } from '../platform/realtime/bus.js';
import { ACK_X_KIND, ackXHandler } from './ack-x.js';
import type { DetectorConfig } from './detector/config.js';
import { DetectorLeadership } from './leader.js';
import { ProblemWorker } from './problem.worker.js';
import { subscribeProcessSignals } from './process.js';
import { ProblemRuntime } from './runtime.js';

export interface ProblemsDeps {
  database: Database;
  workspaceId: string;
  clock: () => number;
  bus?: LiveBus;
  senders: Map<string, Sender>;
  detector?: Partial<DetectorConfig>;
  secretKey: Buffer;
  publicUrl: string;
  /** The desk's outgoing mail, for `email` escalation targets (a team's lead). */
  mailStaff?: StaffMailer;
}

/**
 * Root-cause problems, wired: the detector attached to the pipeline, the quiet-period worker,
 * and the outbox handlers for loop-closing notifications (escalations: src/integrations).
 */
export function createProblems(deps: ProblemsDeps) {
  // One detecting node per shared PostgreSQL database (always this one on SQLite).
  const leadership = new DetectorLeadership(deps.database);
  const runtime = new ProblemRuntime({
    workspaceId: deps.workspaceId,
    leadership,
    config: deps.detector,
    onChanged: (ids) => {
      for (const problemId of ids) {
        deps.bus?.publish({
          type: 'problem.updated',
          workspaceId: deps.workspaceId,
          data: { problemId },
        });
      }
    },
  });
  const worker = new ProblemWorker({
    database: deps.database,
    clock: deps.clock,
    // The leader reads what the other nodes' pipelines stored even when it has no batches.
    catchUp: leadership.shared ? () => runtime.catchUp(deps.database.db, deps.clock()) : undefined,
    idleTick: () => runtime.catchUp(deps.database.db, deps.clock(), true),
  });
  // Broken promises and SLA breaches from care core, per team, into the detector.
  const stopSignals = deps.bus
    ? subscribeProcessSignals({
        bus: deps.bus,
        database: deps.database,
        runtime,
        workspaceId: deps.workspaceId,
        clock: deps.clock,
      })
    : async () => {};
  const handlers = new Map<string, OutboxHandler>([
    [
      'notify_customer',
      notifyHandler({ database: deps.database, senders: deps.senders, clock: deps.clock }),
    ],
    [
      ACK_X_KIND,
      ackXHandler({ database: deps.database, senders: deps.senders, clock: deps.clock }),
    ],
    [
      'problem_escalate',
      escalationHandler({
        database: deps.database,
        secretKey: deps.secretKey,
        publicUrl: deps.publicUrl,
        clock: deps.clock,
        mailStaff: deps.mailStaff,
      }),
    ],
  ]);
  return {
    runtime,
    worker,
    handlers,
    leadership,
    /**
     * Starts the quiet-period and catch-up worker. This node then reads what other nodes hold
     * for the detector, so a process signal may make it the detector when no node is (just after
     * a start, when the catch-up has not run yet): an overdue breach at start-up is not lost.
     */
    start() {
      runtime.mayLead = true;
      worker.start();
    },
    /** Stops listening for process signals (after those taken) and gives up leadership. */
    async close() {
      await stopSignals();
      await leadership.close();
    },
    /** Attach to the pipeline that runs with these settings. */
    attach(settings: PipelineSettings) {
      attachDetector(settings, runtime);
    },
  };
}
export type Problems = ReturnType<typeof createProblems>;
