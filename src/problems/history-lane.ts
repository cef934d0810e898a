import type { Decision, Detector, ProblemView } from './detector/detector.js';
import type { DetectorInput } from './detector-input.js';

/** Fewer late messages than this (in a batch, with the stragglers of the last minutes) stay stragglers. */
const MIN_HISTORY_MESSAGES = 20;
/** How long stragglers are remembered towards that count (wall time). */
const STRAGGLER_MEMORY_MS = 10 * 60_000;
/** A history detector nobody fed for this long (wall time) is dropped: the replay is over. */
const IDLE_MS = 10 * 60_000;

export type HistoryPlan =
  | { kind: 'none' }
  /** The late messages go to the history detector that stands at their time already. */
  | { kind: 'reuse'; past: DetectorInput[]; present: DetectorInput[] }
  /** A new history detector, built from storage up to the earliest late message. */
  | { kind: 'build'; past: DetectorInput[]; present: DetectorInput[]; at: number }
  /** Too few to rebuild a detector for: the live detector takes them as stragglers. */
  | { kind: 'stragglers' };

/**
 * History that reaches the desk after later traffic (a replay of last March into a desk that has
 * seen today, an import of an old export). The live detector stands at the newest event time;
 * for it such messages are older than every window and count nowhere, so the replayed outage
 * would raise nothing. They go instead to a second detector, rebuilt from storage up to their
 * own time (as a restarted detector is), which then follows them in event time as the live
 * one follows today: the replay makes the decisions a live desk would have made then. Its
 * decisions are history (no escalation, no acknowledgement sent: `applyDecisions`).
 *
 * The two detectors share one problem table. A problem the history detector raised is left out
 * of what the live detector sees while the history detector lives (the live one, at today's
 * time, would close it at once as quiet for months, and the replay would raise it again); the
 * history detector sees the problems that existed by its own time. Once the history detector is
 * dropped (idle for `IDLE_MS`), its problems are the live detector's, which closes them when
 * they are quiet. Held in memory only: a restart in the middle of a replay builds a new one at
 * the next late batch, and meanwhile the live detector may close what the first one raised.
 *
 * A few late messages that no history detector covers (stragglers) are not worth a rebuild
 * from storage: they stay with the live detector, which links a complaint of theirs to its
 * case's problem and counts nothing (`Detector.observe`).
 */
export class HistoryLane {
  detector: Detector | null = null;
  private readonly raised = new Set<string>();
  private lastFed = 0;
  private stragglers: number[] = [];

  /** Decides where the batch's messages go; `live` is the live detector (already built). */
  plan(live: Detector, inputs: DetectorInput[], wallNow: number): HistoryPlan {
    if (this.detector && wallNow - this.lastFed > IDLE_MS) this.drop();
    if (inputs.length === 0) return { kind: 'none' };
    const cutoff = live.now - live.horizonMs;
    const past: DetectorInput[] = [];
    const present: DetectorInput[] = [];
    for (const i of inputs) (i.at < cutoff ? past : present).push(i);
    if (past.length === 0) return { kind: 'none' };
    this.stragglers = this.stragglers.filter((t) => wallNow - t < STRAGGLER_MEMORY_MS);
    // The earliest, not the first: other nodes' messages (PostgreSQL) come in their own order.
    let first = past[0].at;
    for (const i of past) if (i.at < first) first = i.at;
    const h = this.detector;
    // In order with the history detector (within its own windows), and still history.
    if (h && first >= h.now - h.horizonMs) {
      this.lastFed = wallNow;
      return { kind: 'reuse', past, present };
    }
    if (past.length + this.stragglers.length < MIN_HISTORY_MESSAGES) {
      for (let i = 0; i < past.length; i++) this.stragglers.push(wallNow);
      return { kind: 'stragglers' };
    }
    this.drop();
    this.stragglers = [];
    this.lastFed = wallNow;
    return { kind: 'build', past, present, at: first };
  }

  /** The open problems the live detector decides on (not those the history detector raised). */
  liveViews(views: ProblemView[]): ProblemView[] {
    return this.raised.size === 0 ? views : views.filter((v) => !this.raised.has(v.id));
  }

  /** The open problems the history detector decides on: those that existed by its time. */
  historyViews(views: ProblemView[]): ProblemView[] {
    const h = this.detector;
    if (!h) return [];
    return views.filter((v) => this.raised.has(v.id) || v.detectedAt <= h.now);
  }

  /** The history detector raised these (after its batch's decisions were written). */
  noteRaised(ids: Iterable<string>): void {
    for (const id of ids) this.raised.add(id);
  }

  /** Forgets the history detector; its problems are the live detector's again. */
  drop(): void {
    this.detector = null;
    this.raised.clear();
  }
}

/** The problems a detector's decisions raised. */
export function raisedIn(decisions: Decision[]): string[] {
  return decisions.filter((d) => d.type === 'raise').map((d) => d.problemId);
}

/**
 * The open problems that existed by a detector's time (give or take its longest window, for
 * clocks a little apart between nodes). A detector rebuilt at last March (a fresh process
 * replaying it) must not take that month's complaints into a problem raised today: it did, and
 * today's San Francisco outage became last year's Los Angeles one. A detector that has seen
 * nothing yet sees them all (a problem made by hand before any traffic).
 */
export function existedBy(det: Detector, views: ProblemView[]): ProblemView[] {
  if (det.now <= 0) return views;
  const until = det.now + det.horizonMs;
  return views.filter((v) => v.detectedAt <= until);
}
