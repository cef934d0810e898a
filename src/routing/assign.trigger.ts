/**
 * When waiting cases get another chance at an agent. Automatic assignment used to run only after
 * a pipeline batch brought new cases and when an agent came online, so a case that found every
 * agent full waited until one of those happened, however much room opened meanwhile (an agent
 * resolving a case, a capacity raised, a new queue member). Now everything that frees room or
 * changes who may take what asks for a run here, after its transaction committed:
 *
 * - requests are coalesced: every request made before a run starts joins it, and the run starts
 *   on the next turn of the event loop (`setImmediate`), so a burst of changes costs one run, not
 *   one per request; a request made while a run is going queues exactly one more;
 * - a request names what changed (queues, and agents whose every queue is affected), and the run
 *   looks at those queues only; a request naming nothing looks at every automatic queue;
 * - runs on one node follow each other; nodes that run at once are kept apart by the database
 *   (`runAssignment`: the queue's agents' rows locked, the waiting cases taken `SKIP LOCKED`);
 * - a change made on another node, or by a path that asks for nothing (a problem's fix moving
 *   its cases), is caught by the periodic sweep (`assignmentSweep`, every 30 s).
 */
import type { Sweep } from '../platform/jobs/scheduler.js';

/** What changed: the queues concerned, and agents whose queues all are. Nulls are ignored. */
export interface AssignHint {
  queueIds?: readonly (string | null | undefined)[];
  userIds?: readonly (string | null | undefined)[];
}

/** Asks for an assignment run soon (after the caller's transaction committed). */
export type AssignRequest = (hint?: AssignHint) => void;

/** The queues a run looks at: every automatic queue (null), or those named and those of the agents. */
export type AssignScope = { queueIds: string[]; userIds: string[] } | null;

export interface AssignmentTrigger {
  request: AssignRequest;
  /** Resolves once the runs asked for so far are done (tests, the sweep). */
  settled(): Promise<void>;
}

export function assignmentTrigger(run: (scope: AssignScope) => Promise<void>): AssignmentTrigger {
  let chain: Promise<void> = Promise.resolve();
  let waiting: { all: boolean; queues: Set<string>; users: Set<string> } | null = null;
  const request: AssignRequest = (hint) => {
    if (!waiting) {
      const next = { all: false, queues: new Set<string>(), users: new Set<string>() };
      waiting = next;
      chain = chain
        .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
        .then(() => {
          // Requests from here on queue the next run.
          waiting = null;
          return run(next.all ? null : { queueIds: [...next.queues], userIds: [...next.users] });
        })
        // `run` reports its own failures; the chain must stay usable for the next request.
        .catch(() => undefined);
    }
    const w = waiting;
    if (!hint) w.all = true;
    for (const q of hint?.queueIds ?? []) if (q) w.queues.add(q);
    for (const u of hint?.userIds ?? []) if (u) w.users.add(u);
  };
  return { request, settled: () => chain };
}

export const ASSIGNMENT_SWEEP_MS = 30_000;

/**
 * The safety net: every 30 s (of the scheduler's ticks) a run over every automatic queue, for
 * room that opened where nothing asked (another node's change, a problem moving its cases).
 */
export function assignmentSweep(trigger: AssignmentTrigger, everyMs = ASSIGNMENT_SWEEP_MS): Sweep {
  let last: number | null = null;
  return async (_db, now) => {
    // A clock set back (tests driving the scheduler with explicit times) runs it again.
    if (last !== null && now >= last && now - last < everyMs) return [];
    last = now;
    trigger.request();
    await trigger.settled();
    // The run publishes its own assignments.
    return [];
  };
}
