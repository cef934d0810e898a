/**
 * Where a young country-wide problem belongs when a wider place's excess would move it there:
 * a place inside that it already owns its own topic's key of (see `testAreaKey`).
 */
import type { Area } from '../../triage/index.js';
import { ALL, areaChain, chainOfKey } from './areas.js';
import type { DetectorParts } from './book.js';
import { binomialTail } from './stats.js';
import type { ProblemView } from './types.js';
import type { KeyState } from './window.js';

/**
 * A place strictly inside `areaKey` whose key of the problem's own topic the problem owns, and
 * where far more of the excess key's complainers naming a place are than usual.
 */
export function innerPlace(
  { counts }: DetectorParts,
  p: ProblemView,
  areaKey: string,
  ks: KeyState,
): { place: string; chain: string[]; area: Area; key: string; ks: KeyState } | null {
  for (const key of p.keys) {
    const at = key.indexOf('@');
    const place = key.slice(at + 1);
    if (key.slice(0, at) !== p.topic || place === ALL || place === areaKey) continue;
    const own = counts.keys.get(key);
    const area = own && counts.members(own).find((m) => m.area)?.area;
    if (!own || !area) continue;
    const chain = chainOfKey(place, area);
    if (!chain.includes(areaKey)) continue;
    let placedN = 0;
    let inside = 0;
    for (const m of counts.members(ks)) {
      if (!m.area) continue;
      placedN++;
      if (areaChain(m.area).includes(place)) inside++;
    }
    // Far more of them than the place's usual share of the wider place's customers: a trouble
    // of the wider place shows everywhere in it (a state's outage in its big city too).
    const wider = areaKey === ALL ? 1 : counts.shareOfPlaced(areaKey);
    const usual = counts.shareOfPlaced(place) / Math.max(1e-9, wider);
    if (placedN > 0 && binomialTail(inside, placedN, Math.min(1, usual)) <= INNER_ALPHA)
      return { place, chain, area, key, ks: own };
  }
  return null;
}

/** How unlikely the wider excess's complainers in the problem's own place must be by chance. */
const INNER_ALPHA = 1e-3;
