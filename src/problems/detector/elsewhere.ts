/**
 * How much of a coarse key's excess another place's trouble accounts for: a local problem takes
 * complaints naming no place through its topic's coarser key (`matchOnArrival`), in proportion
 * to its share of what placed complaints show of that key's excess.
 */
import { nested } from './areas.js';
import type { DetectorConfig } from './config.js';
import { type Counts, GLOBAL } from './counts.js';
import type { ProblemView } from './types.js';

/**
 * The excess of a coarse key's complainers who name a place outside the problem's (over the
 * link window): a trouble of its topic elsewhere. Its complaints naming no place come with it,
 * as many for each placed one as the local trouble's do, so the two troubles split the coarse
 * key's placeless excess in proportion to their placed excesses. Seed 1's 17-customer Los
 * Angeles delivery trouble took 16 placeless complaints of a 438-customer Colorado trouble
 * through `delivery@all`, and was scored as that trouble's problem (its own then missed).
 */
export function excessElsewhere(
  config: DetectorConfig,
  counts: Counts,
  p: Pick<ProblemView, 'areaKey' | 'chain'>,
  coarseKey: string,
  window = config.linkWindow,
): number {
  const ks = counts.keys.get(coarseKey);
  const global = counts.keys.get(GLOBAL);
  if (!ks || !global || !p.areaKey || counts.firstAt === null) return 0;
  const w = Math.min(window, ks.windows.length - 1);
  // By place (city, else the finest named), the times of the complainers outside the problem's.
  // (Those of one area chain at once: most of a big key's complainers share a few places.)
  const places = new Map<string, number[]>();
  for (const [chain, members] of counts.firsts(ks, w).byChain) {
    if (nested(chain, p.chain)) continue;
    const place = chain.find((k) => k.startsWith('t:')) ?? chain[0];
    const times = places.get(place) ?? [];
    for (const at of members.values()) times.push(at);
    places.set(place, times);
  }
  // Only places whose trouble goes on: a 7-minute burst stays in the link window for hours
  // after it ended, and its complaints naming no place came with it, not now.
  const windowMs = ks.windows[w].ms;
  let outside = 0;
  for (const times of places.values())
    if (!quiet(config, counts.now, times, windowMs)) outside += times.length;
  if (outside === 0) return 0;
  // The usual number of them: the key's expected count, times the share of complainers who name
  // a place, times the share of the coarse area's customers outside the problem's place.
  const everyone = counts.firsts(global, w);
  const placed = everyone.named / Math.max(1, everyone.size);
  const coarseArea = coarseKey.slice(coarseKey.indexOf('@') + 1);
  const inside = Math.min(1, counts.areaShare(p.areaKey) / counts.areaShare(coarseArea));
  const usual = counts.expected(ks, ks.windows[w].ms) * placed * (1 - inside);
  return Math.max(0, outside - usual);
}

/** The place's complainers stopped for longer than their pace makes likely (as `placeQuiet`). */
function quiet(config: DetectorConfig, now: number, times: number[], windowMs: number): boolean {
  const recent = times.sort((a, b) => a - b).slice(-config.minCustomers);
  const last = recent[recent.length - 1];
  const span = recent.length > 1 ? Math.max(config.bucketMs, last - recent[0]) : windowMs;
  const pace = Math.max(1, recent.length - 1) / span;
  return Math.exp(-pace * (now - last)) < config.episode.alpha;
}
