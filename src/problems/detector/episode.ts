/**
 * Whether a problem's trouble still goes on: new customers still join it in excess. Its own
 * customers writing again ("still down?", "it's back") are not new evidence of a trouble going
 * on; counted as they were, a big outage's follow-ups kept its episode on for hours after it
 * ended, and a later trouble of its place was taken in by it on arrival. (Simulator seed 12's
 * Portland: a 200-customer outage stayed "on" for 13 hours and took the next outage of a
 * Portland ZIP. Its late reporters, new customers, still keep it on: TUNING.md.)
 */
import type { Counts } from './counts.js';
import { overdispersedTail } from './stats.js';
import type { Entry, KeyState } from './window.js';

/** When each customer was first linked to each problem (event time). */
export class ProblemJoins {
  private readonly byProblem = new Map<string, Map<string, number>>();

  note(problemId: string, customerId: string, at: number): void {
    let m = this.byProblem.get(problemId);
    if (!m) {
      m = new Map();
      this.byProblem.set(problemId, m);
    }
    const was = m.get(customerId);
    if (was === undefined || at < was) m.set(customerId, at);
  }

  at(problemId: string, customerId: string): number | undefined {
    return this.byProblem.get(problemId)?.get(customerId);
  }

  /** Forgets problems no longer open. */
  keepOnly(ids: Set<string>): void {
    for (const id of this.byProblem.keys()) if (!ids.has(id)) this.byProblem.delete(id);
  }
}

/**
 * Whether the key holds, in one of its windows up to `upTo`, significantly more customers new to
 * problem `problemId` than it usually holds of anyone: customers no problem explains, or the
 * problem's own who first joined it inside that window. (Another problem's customers are that
 * problem's evidence.) A customer linked before the window began is a follow-up, and counts
 * only once, when they joined.
 */
export function freshExcess(
  counts: Counts,
  ks: KeyState,
  problemId: string,
  { min, alpha, window: upTo }: EpisodeTest,
): boolean {
  let goesOn = false;
  for (let w = 0; w <= Math.min(upTo, ks.windows.length - 1); w++) {
    const win = ks.windows[w];
    win.evict(counts.now);
    const n = freshIn(counts, win.entries(), problemId, counts.now - win.ms);
    if (goesOn || n < min) continue;
    const expected = counts.expected(ks, win.ms);
    if (n <= expected) continue;
    goesOn = overdispersedTail(n, expected, counts.dispersionOf(ks)) <= alpha;
  }
  return goesOn;
}

export interface EpisodeTest {
  min: number;
  alpha: number;
  window: number;
}

/** Distinct customers of the entries who are new to the problem since `from` (`freshExcess`). */
function freshIn(counts: Counts, entries: Entry[], problemId: string, from: number): number {
  const seen = new Set<string>();
  let n = 0;
  for (const e of entries) {
    const id = e.customerId;
    if (seen.has(id)) continue;
    seen.add(id);
    const joined = counts.joins.at(problemId, id);
    const isNew =
      e.problemId === problemId
        ? joined !== undefined && joined >= from
        : e.problemId === null && (joined === undefined || joined >= from);
    if (isNew) n++;
  }
  return n;
}
