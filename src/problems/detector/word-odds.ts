import type { DetectorParts } from './book.js';
import { GLOBAL } from './counts.js';

/**
 * How much less likely a complaint's words are among a big problem's complaints than among the
 * desk's usual ones: a likelihood ratio over its content words (naive Bayes), at most 1, which
 * multiplies the odds of the share posterior `matchOnArrival` computes from counts alone.
 *
 * Why: in a big trouble the topic's count is mostly excess, so every complaint of that topic
 * looked like the trouble's. A 600-customer billing trouble ("the bill posted today is wrong",
 * "bill more than doubled this cycle") took 227 of the country's ordinary billing complaints
 * ("prorated charges make zero sense", "my bill went up with no notice") over its ten hours, and
 * a 2,000-customer Florida outage 346 (outside-style QA set). Their words tell them apart: the
 * problem's own complaints rarely use "prorated" or "notice", and often use "posted", "doubled".
 *
 * A word's rate in the problem is read from the problem's complaints in the link window (entries
 * of the word's key held by the problem over those of every key), shrunk toward its usual rate by
 * `prior` complaints so that a word few of them used says little; its usual rate is its share of
 * all complaints so far (`counts.termShare`). Rare words (typos, names: fewer than `minDocs`
 * complaints ever) are left out, each word's log ratio is capped at `cap`, and a problem holding
 * fewer than `minLinked` complaints in the window is not read at all (its rates are noise: read
 * from 30, a Florida outage's first complaints filed under device were turned away and became a
 * second problem).
 *
 * `matchOnArrival` reads it for complaints naming no place that a local problem would take, for
 * every complaint a country-wide problem would, and for complaints of another topic than the
 * problem's (an outage's city, its ordinary device complaints): where a trouble takes background.
 *
 * Only against: words that say "more likely the trouble's" also lifted complaints of a live
 * problem's words into the wrong one (outside set, recall 0.79 → 0.69 when the ratio could exceed
 * 1), and a complaint's evidence for a problem is its count's excess, already in the posterior.
 */
export function wordOdds(
  { config, counts }: Pick<DetectorParts, 'config' | 'counts'>,
  problemId: string,
  termKeys: readonly string[],
): number {
  const { minLinked, prior, cap, minDocs } = config.wordOdds;
  if (minLinked <= 0 || termKeys.length === 0) return 1;
  const all = counts.keys.get(GLOBAL);
  if (!all) return 1;
  const w = Math.min(config.linkWindow, all.windows.length - 1);
  const allWin = all.windows[w];
  allWin.evict(counts.now);
  const held = allWin.linkedTo(problemId);
  if (held < minLinked) return 1;
  let log = 0;
  for (const k of termKeys) {
    const usual = counts.termShare(k.slice(2));
    if (usual.docs < minDocs) continue;
    const ks = counts.keys.get(k);
    let n = 0;
    if (ks) {
      const win = ks.windows[Math.min(w, ks.windows.length - 1)];
      win.evict(counts.now);
      n = win.linkedTo(problemId);
    }
    const rate = (n + prior * usual.share) / (held + prior);
    log += Math.max(-cap, Math.min(cap, Math.log(rate / usual.share)));
  }
  return Math.min(1, Math.exp(log));
}

/** A posterior with its odds multiplied by `ratio`. */
export function withOdds(posterior: number, ratio: number): number {
  if (ratio === 1 || posterior <= 0) return posterior;
  if (posterior >= 1) return 1;
  const odds = (posterior / (1 - posterior)) * ratio;
  return odds / (1 + odds);
}
