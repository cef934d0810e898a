import type { Database } from '../platform/db/database.js';
import type { LiveBus, LiveEvent } from '../platform/realtime/bus.js';
import type { ProcessSignal } from './detector/detector.js';
import type { ProblemRuntime } from './runtime.js';

/**
 * Feeds care core's live events to the detector's process seam: `promise.broken` (counted
 * against the promise's owner team, else its case's queue team) and `sla.breached` (the case's
 * queue team). Event time is the deadline that passed, so a replayed scheduler decides alike.
 * Signals are handled in order, one small transaction per burst; nothing in care core changes.
 */
export function subscribeProcessSignals(opts: {
  bus: LiveBus;
  database: Database;
  runtime: ProblemRuntime;
  workspaceId: string;
  clock: () => number;
  onError?: (err: unknown) => void;
}): () => Promise<void> {
  const { db } = opts.database;
  let queue: LiveEvent[] = [];
  let running: Promise<void> | null = null;
  const drain = async () => {
    while (queue.length > 0) {
      const events = queue;
      queue = [];
      const caseIds = [
        ...new Set(events.map((e) => e.data.caseId).filter((c): c is string => !!c)),
      ];
      const cases = caseIds.length
        ? await db
            .selectFrom('cases')
            .leftJoin('queues', 'queues.id', 'cases.queue_id')
            .select(['cases.id', 'cases.customer_id', 'queues.team_id'])
            .where('cases.workspace_id', '=', opts.workspaceId)
            .where('cases.id', 'in', caseIds)
            .execute()
        : [];
      const byCase = new Map(cases.map((c) => [c.id, c]));
      const signals: ProcessSignal[] = [];
      for (const e of events) {
        const caseId = typeof e.data.caseId === 'string' ? e.data.caseId : null;
        const c = caseId ? byCase.get(caseId) : undefined;
        const due = typeof e.data.dueAt === 'string' ? Date.parse(e.data.dueAt) : Number.NaN;
        const at = Number.isNaN(due) ? opts.clock() : due;
        const owner = typeof e.data.ownerTeamId === 'string' ? e.data.ownerTeamId : null;
        const teamId = owner ?? c?.team_id ?? 'unassigned';
        const kind = e.type === 'promise.broken' ? 'promise_broken' : 'sla_breach';
        const id = (e.data.promiseId as string | undefined) ?? `${caseId}:${e.data.clock ?? ''}`;
        signals.push({
          ref: `${kind}:${id}`,
          kind,
          teamId,
          at,
          customerId: c?.customer_id ?? caseId ?? id,
          caseId,
          // A breach of imported or replayed history (overdue before the desk knew of the
          // case) is not a team failing now: it only teaches the team's usual rate, so a replay
          // raises no process problem after the fact, and neither do its clocks that go on
          // breaching at that rate once it is live (the demo's seeded inbox).
          late: e.data.late === true,
        });
      }
      signals.sort((a, b) => a.at - b.at);
      await opts.runtime.observeProcess(db, opts.clock(), signals);
    }
  };
  const kick = () => {
    if (running || queue.length === 0) return;
    running = drain()
      .catch((err) => opts.onError?.(err))
      .finally(() => {
        running = null;
        kick();
      });
  };
  const unsubscribe = opts.bus.subscribe((e) => {
    if (e.workspaceId !== opts.workspaceId) return;
    if (e.type !== 'promise.broken' && e.type !== 'sla.breached') return;
    queue.push(e);
    kick();
  });
  // Stopping waits for the signals already taken: a drain may be rebuilding the detector in a
  // transaction, and the database must not close under it.
  return async () => {
    unsubscribe();
    while (running) await running;
  };
}
