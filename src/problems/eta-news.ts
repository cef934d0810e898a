/**
 * Whether a change of a problem's ETA is news for its customers on its own (no words, no status
 * change that is told anyway). They plan around the time we gave them, so they hear when it is
 * first set and when it moves later; a small nudge (an agent tidying 15:30 to 15:45) and a move
 * earlier are not worth a message each (the next notice carries the ETA as it is then), nor is
 * clearing it: with no words, a notice would only say the time is gone (the agent's words can).
 */

/** A later ETA that customers hear of on its own moved at least this far. */
export const ETA_NEWS_MIN_MOVE_MS = 30 * 60_000;

/**
 * Statuses with nothing awaited: the fix and the closing clear the ETA, notices quote none, a new
 * one is refused (problem.service.ts), and a move back from them to work reopens the problem.
 */
export const DONE: ReadonlySet<string> = new Set(['fixed', 'verified', 'closed']);

/** `before`: the ETA customers were last told (the latest update's), null if none. */
export function etaIsNews(
  before: number | null,
  after: number | null | undefined,
  status: string,
  now: number,
): boolean {
  // A time already gone (allowed for clock skew) is no news to give: it would read "taking longer".
  if (after === undefined || after === null || after <= now || DONE.has(status)) return false;
  // First set, or a new one after the time they were told had passed ("taking longer").
  if (before === null || before <= now) return true;
  return after - before >= ETA_NEWS_MIN_MOVE_MS;
}
