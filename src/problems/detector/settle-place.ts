/**
 * Where inside its place a young area problem's trouble sits. A problem is counted in the first
 * of its keys to stand out, usually a city's (few complainers name their postal code, so a
 * postal code's excess stands out later than its city's) or a region's (a city's trouble in a
 * state with several cities). Its complainers who name a narrower place show where it is: one
 * ZIP of the city, one city of the region. The problem then shows that place as its area, while
 * the detector goes on counting and linking it where it was raised, so its later complaints
 * (most of them name the city, not the ZIP) still find it.
 */
import { ALL, areaAtLevel, chainFrom, tallyInside } from './areas.js';
import type { DetectorParts } from './book.js';
import { ANY_TOPIC } from './counts.js';
import { binomialTail } from './stats.js';
import type { Decision, ProblemView } from './types.js';
import { chainOf } from './window.js';

/** Share of the complainers naming a narrower place that must name the same one … */
const SETTLE_SHARE = 0.75;
/** … and keep naming it (lower, so a problem does not flip back and forth at the edge). */
const STAY_SHARE = 0.5;
/** At least this many complainers name that place. */
const MIN_NAMING = 3;
/** Far more of them than the place's usual share explains (a binomial tail). */
const SETTLE_ALPHA = 1e-4;
/**
 * A place that is this much of its parent's usual traffic (a state's only city among this
 * desk's customers) cannot stand out of it, however many name it: there the complainers naming
 * it say where the trouble is. (A Little Rock outage raised on Arkansas stayed "AR", and its ZIP
 * was never tried.)
 */
const WHOLE_SHARE = 0.8;

type ShownArea = ReturnType<typeof areaAtLevel>;

/**
 * Checks (at most once a minute of event time) where a young automatic area problem's linked
 * complainers concentrate, and pushes a `refine` of its shown area when that changed. Its
 * `areaKey` stays: only the area a person and a client see narrows (or widens back).
 */
export function settlePlace(
  parts: DetectorParts,
  p: ProblemView,
  at: number,
  out: Decision[],
): void {
  const { config, counts, book } = parts;
  if (p.kind !== 'area' || p.human || !p.areaKey || p.areaKey === ALL) return;
  if (p.status !== 'suspected' && p.status !== 'confirmed') return;
  if (counts.now - p.detectedAt > config.topicSettleMs) return;
  if (!book.placeCheckDue(p.id)) return;
  const shown = p.shownKey ?? p.areaKey;
  const place = narrowestPlace(parts, p, shown);
  if (!place || place.key === shown) return;
  out.push({
    type: 'refine',
    problemId: p.id,
    at,
    areaKey: p.areaKey,
    area: place.area,
    key: p.keys[0] ?? `${ANY_TOPIC}@${p.areaKey}`,
  });
  p.shownKey = place.key;
}

/**
 * The narrowest place inside the problem's own where its placed complainers concentrate, level
 * by level (region → city → ZIP), or the problem's own place when none does; null when none of
 * its complainers in its window names a place.
 */
function narrowestPlace(
  { counts, book }: DetectorParts,
  p: ProblemView,
  shown: string,
): { key: string; area: ShownArea } | null {
  const ks = counts.keys.get(`${ANY_TOPIC}@${p.areaKey}`);
  if (!ks) return null;
  const members = counts.members(ks);
  // A detector rebuilt from storage replayed the window silently, linking nothing: complaints
  // on cases storage links to this problem are its own, and are taken as the live detector took
  // them (explained, so the area prior forgets their customers and the usual shares below are
  // those of the background, not of the trouble).
  for (const m of members)
    if (!m.problemId && m.caseId !== null && book.caseProblem.get(m.caseId) === p.id)
      counts.explain(m, p.id);
  const placed = members
    .filter((m) => m.problemId === p.id && m.area)
    .map((m) => ({ chain: chainOf(m), area: m.area! }));
  if (placed.length === 0) return null;
  // The shown place and the places around it (empty while it shows its own place).
  const shownChain = shown !== p.areaKey ? chainFrom(placed, shown) : [];
  let key = p.areaKey!;
  let area = areaAtLevel(placed[0].area, key);
  for (;;) {
    // Those naming this place and nothing narrower ("all over Colorado", `here`) speak against
    // every narrower one.
    const { top, topN, topArea, naming, here } = tallyInside(placed, key);
    if (!top || topN < MIN_NAMING) break;
    // Already shown there (or inside it): it stays while most still name it (the test that
    // put it there is not run again: the place's usual share grows as its complainers' other
    // messages are counted, and the evidence would fade as it grows).
    if (shownChain.includes(top)) {
      if (topN < STAY_SHARE * naming) break;
    } else {
      if (topN < SETTLE_SHARE * naming) break;
      const usual = counts.shareWithin(top, key);
      if (usual >= WHOLE_SHARE) {
        if (topN < SETTLE_SHARE * (naming + here)) break;
      } else if (binomialTail(topN, naming, usual) > SETTLE_ALPHA) break;
    }
    key = top;
    area = areaAtLevel(topArea!, key);
  }
  return { key, area };
}
