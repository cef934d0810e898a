import type { Decision, Detector, ProblemView } from './detector/detector.js';
import type { DetectorInput } from './detector-input.js';

/** Fewer late messages than this (in a batch, with the stragglers of the last minutes) stay stragglers. */
const MIN_HISTORY_MESSAGES = 20;
/** How long stragglers are remembered towards that count (wall time). */
const STRAGGLER_MEMORY_MS = 10 * 60_000;
/** A history detector nobody fed for this long (wall time) is dropped: the replay is over. */
const IDLE_MS = 10 * 60_000;

/** The live detector's shortest window: a message behind its time by more is history. */
const shortestWindow = (d: Detector) => Math.min(...d.config.windowsMs);
/** A history detector this close behind the live one has caught up: it hands over. */
const catchUpMs = (d: Detector) => 2 * shortestWindow(d);

export type HistoryPlan =
  | { kind: 'none' }
  /**
   * The history detector takes `past` (it stands at their time already, or is new: `build`,
   * rebuilt from storage up to `at`, the earliest of them); `present` stays with the live
   * detector, unless the history caught up with it (`caughtUp`): then the history detector
   * takes the whole batch, in event order, and hands over before the next one (`settle`).
   */
  | { kind: 'reuse'; past: DetectorInput[]; present: DetectorInput[]; caughtUp: boolean }
  | {
      kind: 'build';
      past: DetectorInput[];
      present: DetectorInput[];
      caughtUp: boolean;
      at: number;
    }
  /** Too few to rebuild a detector for: the live detector takes them as stragglers. */
  | { kind: 'stragglers' };

/**
 * History that reaches the desk after later traffic (a replay of last March, or of yesterday,
 * into a desk that has seen today; an import of an old export). The live detector stands at the
 * newest event time; for it, a message that has left its shortest window counts only in the
 * longer ones (or, older than every window, nowhere), so a replayed outage hours behind now
 * would raise nothing, or a new problem whenever the short windows look quiet. Such messages go
 * instead to a second detector, rebuilt from storage up to their own time (as a restarted
 * detector is), which then follows them in event time as the live one follows today: the replay
 * makes the decisions a live desk would have made then. Decisions about events more than six
 * hours old page nobody and send no acknowledgement (`isHistory`, whichever detector made them).
 *
 * The two detectors share one problem table. A problem the history detector raised is left out
 * of what the live detector sees while the history detector lives (the live one, at today's
 * time, would close it at once as quiet for months, and the replay would raise it again); the
 * history detector sees the problems that existed by its own time. When the history reaches
 * the live detector's time (within `catchUpMs`) it takes the rest of that batch too, and before
 * the next batch the history detector is dropped and the live one rebuilt from storage, which
 * now holds the history as well: one detector again, which knows the replayed messages in its
 * windows and the problems they raised. A history detector nobody fed for `IDLE_MS` is dropped
 * too (the replay is over); the live detector is then rebuilt if that history lies within its
 * windows. Held in memory only: a restart in the middle of a replay builds a new one at the next
 * late batch, and meanwhile the live detector may close what the first one raised.
 *
 * A few late messages that no history detector covers (stragglers) are not worth a rebuild
 * from storage: they stay with the live detector, which counts them in the windows that still
 * cover them, or, older than every window, links a complaint of theirs to its case's problem
 * and counts nothing (`Detector.observe`).
 */
export class HistoryLane {
  detector: Detector | null = null;
  private readonly raised = new Set<string>();
  private lastFed = 0;
  private stragglers: number[] = [];

  /**
   * Before a batch: ends the history detector once it caught up with the live one (it stands
   * within the live detector's shortest window of its time), or went idle. Returns where to
   * rebuild the live detector from storage when the history it followed lies within the live
   * detector's windows (else null: nothing to do, or the history is older than every window).
   */
  settle(live: Detector, wallNow: number): number | null {
    const h = this.detector;
    if (!h) {
      // Its detector went with a rolled-back batch and no history followed: the replay is over.
      if (this.raised.size > 0 && wallNow - this.lastFed > IDLE_MS) this.raised.clear();
      return null;
    }
    const caughtUp = h.now >= live.now - shortestWindow(live);
    if (!caughtUp && wallNow - this.lastFed <= IDLE_MS) return null;
    this.drop();
    return h.now >= live.now - live.horizonMs ? Math.max(h.now, live.now) : null;
  }

  /** Decides where the batch's messages go; `live` is the live detector (already built). */
  plan(live: Detector, inputs: DetectorInput[], wallNow: number): HistoryPlan {
    if (inputs.length === 0) return { kind: 'none' };
    // A message its shortest window no longer covers is not live traffic.
    const cutoff = live.now - shortestWindow(live);
    const past: DetectorInput[] = [];
    const present: DetectorInput[] = [];
    for (const i of inputs) (i.at < cutoff ? past : present).push(i);
    const h = this.detector;
    // The history is close behind the live time: the present is its next stretch (a live
    // message among it is within the same hour or two, in order enough).
    const near = (t: number) => t >= live.now - catchUpMs(live);
    if (past.length === 0) {
      if (!h || !near(h.now)) return { kind: 'none' };
      this.lastFed = wallNow;
      return { kind: 'reuse', past, present, caughtUp: true };
    }
    this.stragglers = this.stragglers.filter((t) => wallNow - t < STRAGGLER_MEMORY_MS);
    // The earliest, not the first: other nodes' messages (PostgreSQL) come in their own order.
    let first = past[0].at;
    let last = first;
    for (const i of past) {
      if (i.at < first) first = i.at;
      if (i.at > last) last = i.at;
    }
    // In order with the history detector (within its own windows), and still history.
    if (h && first >= h.now - h.horizonMs) {
      this.lastFed = wallNow;
      return { kind: 'reuse', past, present, caughtUp: near(Math.max(h.now, last)) };
    }
    if (past.length + this.stragglers.length < MIN_HISTORY_MESSAGES) {
      for (let i = 0; i < past.length; i++) this.stragglers.push(wallNow);
      return { kind: 'stragglers' };
    }
    this.drop();
    this.stragglers = [];
    this.lastFed = wallNow;
    return { kind: 'build', past, present, caughtUp: near(last), at: first };
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
 * nothing yet is at the time of the first message it is about to see (`firstAt`): a simulated
 * day of last June written straight into a desk (`throughline simulate`, a fresh process) took
 * today's demo outage and moved its place. With no message either, it sees them all (a problem
 * made by hand before any traffic).
 */
export function existedBy(
  det: Detector,
  views: ProblemView[],
  firstAt: number | null = null,
): ProblemView[] {
  const at = det.now > 0 ? det.now : firstAt;
  if (at === null) return views;
  const until = at + det.horizonMs;
  return views.filter((v) => v.detectedAt <= until);
}
