import type { AreaPrior } from './area-prior.js';
import { ALL } from './areas.js';
import type { DetectorConfig } from './config.js';
import type { KeyState } from './window.js';

/** The every-topic key's topic (kept here to avoid an import cycle with counts.ts). */
const ANY = '*';

/** A place-and-topic key's prior share of all complaints, and how unsure that share is. */
export interface KeyPrior {
  share: number;
  /** The area's part of `share` (1 for the whole country). */
  areaShare: number;
  /** Own complainers left out of the area's count (0 for keys of several topics). */
  own: number;
  /** Squared coefficient of variation of `share` (how few customers it was learned from). */
  cv2: number;
}

/**
 * The prior of an area key: its topic's share of complaint episodes times its area's share of
 * customers (independence). A single-topic key's own recent complainers are left out of both
 * counts as far as they dominate them (`own × (own / count)²`: nearly all of them for a place
 * first seen in its trouble, almost none where a place has long history; squared, not linear:
 * linear also left out half of a place's first-day complainers where they were half of what was
 * known of it, and nine ordinary Houston complaints on a desk's first day became a problem). On a young desk they can be most
 * of what is known of the place, so a city first seen in its outage looked as big as the outage
 * and was never in excess (QA: a Sacramento outage in a desk's seventh hour was raised ten hours
 * late). Left in otherwise, as a scan statistic conditions on the totals under no trouble. What
 * is left may be a handful of customers, so `cv2` says how unsure a share learned from so few is
 * (a Gamma's 1/count) and the test widens by it. Keys of several topics keep the plain shares:
 * leaving out every complainer of a place leaves only the customers who did not complain, who
 * name their place less often. (Except a topic group in a desk's first hours, `cold`: the cold
 * test's group keys, `cold-start.ts`, leave out their own as a single topic does.)
 */
export function keyPrior(
  ks: KeyState,
  config: DetectorConfig,
  topicEpisodes: ReadonlyMap<string, number>,
  totalEpisodes: number,
  areas: AreaPrior,
  cold = false,
): KeyPrior {
  const topic = ks.topic!;
  if (topic === ANY) {
    const areaShare = areas.share(ks.areaKey);
    return { share: areaShare, areaShare, own: 0, cv2: 0 };
  }
  const grouped = topic.startsWith('g:');
  const topics = grouped ? config.topicGroups[Number(topic.slice(2))] : [topic];
  let n = 0;
  for (const t of topics) n += (topicEpisodes.get(t) ?? 0) + 1;
  if (grouped && !(cold && config.coldGroups)) {
    const areaShare = areas.share(ks.areaKey);
    return { share: (n / (totalEpisodes + 9)) * areaShare, areaShare, own: 0, cv2: 0 };
  }
  const own = config.leaveOwnOut ? ks.windows[ks.windows.length - 1].size : 0;
  const local = ks.areaKey !== null && ks.areaKey !== ALL;
  const mine = local ? Math.min(own, n - 1) * Math.min(1, own / n) ** 2 : 0;
  const topicShare = (n - mine) / (totalEpisodes - mine + 9);
  if (!local) return { share: topicShare, areaShare: 1, own: 0, cv2: 0 };
  const area = areas.without(ks.areaKey!, own);
  return {
    share: topicShare * area.share,
    areaShare: area.share,
    own: area.left,
    cv2: 1 / (area.count + 0.5) + 1 / (n - mine),
  };
}
