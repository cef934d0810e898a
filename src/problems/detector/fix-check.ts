import type { DetectorConfig } from './config.js';
import type { ProblemView } from './types.js';

/**
 * When each case first joined each problem (event time), kept for a day: whether a fix held is
 * told by the customers who keep coming after it. Messages on cases already linked do not
 * count: after any fix some of its customers write again ("still down", crossed messages), and
 * those replies are weighed on their own (`still-broken.ts`).
 */
export class NewCases {
  private readonly times = new Map<string, number[]>();

  constructor(private readonly keepMs: number) {}

  note(problemId: string, at: number): void {
    let list = this.times.get(problemId);
    if (!list) {
      list = [];
      this.times.set(problemId, list);
    }
    // Nearly always in order; an out-of-order arrival is placed where it belongs.
    let i = list.length;
    while (i > 0 && list[i - 1] > at) i--;
    list.splice(i, 0, at);
    let drop = 0;
    while (drop < list.length && list[drop] < at - this.keepMs) drop++;
    if (drop > 0) list.splice(0, drop);
  }

  /** Cases that first joined the problem in [from, to). */
  between(problemId: string, from: number, to: number): number {
    const list = this.times.get(problemId);
    if (!list) return 0;
    let n = 0;
    for (const t of list) if (t >= from && t < to) n++;
    return n;
  }

  /** Forgets problems no longer open. */
  keepOnly(ids: Set<string>): void {
    for (const id of this.times.keys()) if (!ids.has(id)) this.times.delete(id);
  }
}

/**
 * Whether a fix did not hold: after a grace (restoration takes a while to reach everyone), new
 * customers of the trouble keep joining the problem in a window after it at `share` or more of
 * the pace of its busiest window before it (and at least `minCustomers`). After a fix that held, new
 * cases fall to the place's usual complaints. Checked from `graceMs + windowMs` after the fix
 * until `forMs`; a problem with too few new cases before its fix to compare with is not judged
 * here (its trouble was fading anyway; the lifecycle's other ways back still apply).
 */
export function fixFailed(
  config: Pick<DetectorConfig, 'fixCheck' | 'minCustomers'>,
  p: Pick<ProblemView, 'id' | 'status' | 'fixedAt'>,
  newCases: NewCases,
  now: number,
): { before: number; after: number } | null {
  if (p.status !== 'fixed' || p.fixedAt === null) return null;
  const { graceMs, windowMs, forMs, share } = config.fixCheck;
  const since = now - p.fixedAt;
  if (since < graceMs + windowMs || since > forMs) return null;
  // Its busiest window before the fix (in the last 12): a fix often lands in the trouble's
  // tail, when the pace has already thinned and late comers (customers writing again on
  // another channel) would match it.
  let before = 0;
  for (let k = 1; k <= 12; k++) {
    const to = p.fixedAt - (k - 1) * windowMs;
    before = Math.max(before, newCases.between(p.id, to - windowMs, to));
  }
  if (before < config.minCustomers) return null;
  const after = newCases.between(p.id, now - windowMs, now + 1);
  if (after < Math.max(config.minCustomers, Math.ceil(share * before))) return null;
  return { before, after };
}

const HOUR_MS = 3_600_000;
/** The stretch before a fix whose new customers give a trouble's pace. */
const PACE_MS = 12 * HOUR_MS;

/**
 * How long a fixed problem must go without a new complaint before it counts as verified. A quiet
 * spell says the trouble is over only if the trouble would have filled it: at the pace new
 * customers joined in the 12 hours before the fix (since the raise, if later), three mean gaps
 * (were it still going on, no one in that long has a chance of about e^-3, 5 %). Never less than
 * `verifyQuietMs` (a fast trouble's restoration takes a while to reach everyone), and never more
 * than `liveQuietMs`, after which the problem stops drawing complaints anyway. A trouble of ten
 * customers over twelve hours used to be verified after two quiet hours, well inside its own gaps.
 */
export function verifyQuietFor(
  config: Pick<DetectorConfig, 'verifyQuietMs' | 'liveQuietMs'>,
  p: Pick<ProblemView, 'id' | 'fixedAt' | 'detectedAt'>,
  newCases: NewCases,
): number {
  const { verifyQuietMs, liveQuietMs } = config;
  if (p.fixedAt === null) return verifyQuietMs;
  const from = Math.max(p.detectedAt, p.fixedAt - PACE_MS);
  const span = Math.max(HOUR_MS, p.fixedAt - from);
  const joined = newCases.between(p.id, from, p.fixedAt);
  // Nothing to pace by (a detector rebuilt without join times, a problem made by hand).
  if (joined === 0) return verifyQuietMs;
  const gaps = (3 * span) / joined;
  return Math.min(Math.max(verifyQuietMs, gaps), Math.max(verifyQuietMs, liveQuietMs));
}
