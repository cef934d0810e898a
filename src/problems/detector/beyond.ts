import { ALL, areaChain } from './areas.js';
import type { DetectorConfig } from './config.js';
import { type Counts, GLOBAL } from './counts.js';
import { overdispersedTail } from './stats.js';

/**
 * Whether complaints of some topics are significantly in excess country-wide outside some
 * places (`episode` alpha, 4-hour window): the topics' complainers naming none of those places
 * (or no place) against the topics' usual country-wide counts less the places' own, plus what
 * the places' troubles add there (their complaints that name no place: as many, for each placed
 * one, as complaints in general name none).
 */
export function excessBeyond(
  counts: Counts,
  config: DetectorConfig,
  topics: string[],
  places: string[],
): boolean {
  if (counts.firstAt === null) return false;
  const seen = new Set<string>();
  let expected = 0;
  let shape = Number.POSITIVE_INFINITY;
  const everyone = counts.members(counts.keys.get(GLOBAL)!, 1);
  let named = 0;
  for (const m of everyone) if (m.area) named++;
  const placed = Math.max(config.placedShare, named / Math.max(1, everyone.length));
  for (const topic of topics) {
    const ks = counts.keys.get(`${topic}@${ALL}`);
    if (!ks) continue;
    const w = Math.min(1, ks.windows.length - 1);
    const ms = ks.windows[w].ms;
    for (const m of counts.members(ks, w)) {
      const chain = areaChain(m.area);
      if (!places.some((p) => chain.includes(p))) seen.add(m.customerId);
    }
    expected += counts.expected(ks, ms, { seasonalOnly: true });
    for (const p of places) {
      const local = counts.keys.get(`${topic}@${p}`);
      if (!local) continue;
      const usual = counts.expected(local, ms, { seasonalOnly: true });
      expected -= usual;
      const excess = Math.max(0, counts.members(local, w).length - usual);
      expected += (excess * (1 - placed)) / placed;
    }
    shape = Math.min(shape, counts.dispersionOf(ks));
  }
  const { min, alpha } = config.episode;
  const n = seen.size;
  const p = overdispersedTail(n, Math.max(expected, 1e-3), shape);
  return n >= min && p <= alpha;
}
