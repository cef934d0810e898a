import { ALL } from './areas.js';
import type { DetectorParts } from './book.js';
import { related } from './link.js';
import { poissonTail } from './stats.js';
import type { ProblemView } from './types.js';
import type { KeyState } from './window.js';

/**
 * A complaint no key of its own topic links, filed by triage under a topic related to a live
 * country-wide problem's ("no signal in Denver" as network during a national outage), joins
 * that problem when the evidence says it is the same trouble's spill-over:
 *
 * - the problem's own topic is still mostly excess country-wide (its trouble goes on);
 * - the complaint's topic is in excess country-wide too (at least `spill.topicShare` of its
 *   recent complainers), but no more than triage's confusion around the problem explains: its
 *   excess stays within `confusionRatio` times the problem's own (a larger one is a trouble of
 *   its own, as in `outgrown`);
 * - it uses at least `spill.words` of the problem's own words (words in excess whose recent
 *   users are mostly the problem's customers, `ProblemBook.holder`);
 * - where it names a place, its topic's count there is no more than the country-wide rate
 *   predicts for that place (its baseline scaled by the country-wide observed / expected):
 *   a significantly higher count (tail probability below `spill.localAlpha`) is a local trouble
 *   coinciding with the national one (a city's network failure during a national device
 *   problem), which stays apart and is raised on its own keys.
 *
 * A country-wide problem counts only its own topic's key at that level, so without this the
 * confused share of a national trouble (10–15 % of its complaints) stays unlinked and is never
 * told of the fix.
 */
export function matchSpill(
  { config, counts, book }: DetectorParts,
  topic: string,
  chain: string[],
  termKeys: string[],
): string | null {
  const { words, topicShare, localAlpha } = config.spill;
  if (words <= 0) return null;
  const live: ProblemView[] = [];
  for (const p of book.problems.values()) {
    if (p.kind !== 'area' || p.areaKey !== ALL || !p.topic || p.topic === topic) continue;
    if (!related(config, p.topic, topic) || !book.drawing(p)) continue;
    live.push(p);
  }
  if (live.length === 0) return null;
  const mine = counts.excess(`${topic}@${ALL}`);
  if (mine.share < topicShare) return null;
  const votes = new Map<string, number>();
  for (const k of termKeys) {
    if (counts.excess(k).share < config.linkPosterior) continue;
    const ks = counts.keys.get(k);
    const h = ks ? book.holder(ks) : undefined;
    if (h) votes.set(h.id, (votes.get(h.id) ?? 0) + 1);
  }
  let best: ProblemView | null = null;
  let bestVotes = words - 1;
  for (const p of live) {
    const v = votes.get(p.id) ?? 0;
    if (v <= bestVotes) continue;
    const own = counts.excess(`${p.topic}@${ALL}`);
    if (own.share < config.linkPosterior) continue;
    if (config.confusionRatio > 0 && mine.excess > config.confusionRatio * own.excess) continue;
    best = p;
    bestVotes = v;
  }
  if (!best) return null;
  if (chain.length > 1 && localTrouble({ config, counts }, topic, chain[0], localAlpha))
    return null;
  return best.id;
}

/**
 * Whether a topic's count in a place is significantly above what the country-wide count of
 * that topic implies for it: the place's expected count times the country's observed /
 * expected ratio (over the link window).
 */
function localTrouble(
  { config, counts }: Pick<DetectorParts, 'config' | 'counts'>,
  topic: string,
  place: string,
  alpha: number,
): boolean {
  const here = count(config, counts, counts.keys.get(`${topic}@${place}`));
  const all = count(config, counts, counts.keys.get(`${topic}@${ALL}`));
  if (!here || !all || all.expected <= 0) return false;
  const ratio = Math.max(1, all.observed / all.expected);
  return poissonTail(here.observed, here.expected * ratio) < alpha;
}

/** A key's distinct complainers and expected count over the link window (as `Counts.excess`). */
function count(
  config: DetectorParts['config'],
  counts: DetectorParts['counts'],
  ks: KeyState | undefined,
) {
  if (!ks) return null;
  const w = ks.windows[Math.min(config.linkWindow, ks.windows.length - 1)];
  w.evict(counts.now);
  return { observed: w.size, expected: counts.expected(ks, w.ms, { knownApart: true }) };
}
