/**
 * Where a text cluster's trouble is. A cluster is raised from a handful of similar complaints and
 * shows the place most of those name (`dominantArea`); a country-wide trouble whose first few
 * complainers happened to be in one state was shown in that state for good (a QA replay's
 * caller-ID trouble across the country, titled "— NE"). While the cluster is young, the place
 * widens when its linked complainers who name a place mostly name places outside it: to the
 * narrowest place most of them share, or the whole country. (Narrowing one raised with no place
 * to where three in four of its placed complainers are was tried and not kept: on seeds 7–9 it
 * showed two troubles of no known kind in the wrong city; TUNING.md.)
 */
import type { Area } from '../../triage/index.js';
import {
  ALL,
  areaAtLevel,
  areaChain,
  chainFrom,
  chainOfKey,
  countryWide,
  nested,
  tallyInside,
} from './areas.js';
import type { DetectorParts } from './book.js';
import type { Counts } from './counts.js';
import { binomialTail } from './stats.js';
import { tokens } from './text.js';
import type { Decision, ProblemView } from './types.js';
import type { Entry, KeyState } from './window.js';

/** Share of the members naming a place that must share one for the cluster to show it. */
const DOMINANT_SHARE = 0.6;
/** A cluster widens once this many of its complainers name a place … */
const MIN_PLACED = 6;
/** … and fewer than this share of them name a place inside its own. */
const INSIDE_SHARE = 0.5;

/** The most specific area shared by at least 60 % of the members naming one, or null. */
export function dominantArea(members: Entry[]) {
  const counts = new Map<string, { n: number; area: Area }>();
  for (const m of members) {
    for (const k of areaChain(m.area)) {
      if (k === ALL) continue;
      const c = counts.get(k) ?? { n: 0, area: m.area! };
      c.n++;
      counts.set(k, c);
    }
  }
  // Among the members that name a place (many name none): the place most of them share, when
  // enough do to say so.
  let placed = 0;
  for (const m of members) if (m.area) placed++;
  if (placed < Math.max(3, members.length / 4)) return null;
  let best: { key: string; area: ReturnType<typeof areaAtLevel> } | null = null;
  let bestRank = -1;
  for (const [k, c] of counts) {
    if (c.n < DOMINANT_SHARE * placed) continue;
    const rank = k.startsWith('p:') ? 3 : k.startsWith('t:') ? 2 : 1;
    if (rank > bestRank) {
      bestRank = rank;
      best = { key: k, area: areaAtLevel(c.area, k) };
    }
  }
  return best;
}

/** Whether a content term is a word of the place's city name ("oakland", "francisco"). */
export function namesPlace(term: string, area: Pick<Area, 'city'>): boolean {
  return !!area.city && tokens(area.city).includes(term);
}

/**
 * Checks (at most once a minute of event time) where a young automatic text cluster's linked
 * complainers are, and pushes a `refine` to a wider place once they spread beyond the one it
 * shows (its `areaKey` null for the whole country).
 */
export function settleTextPlace(
  parts: DetectorParts,
  p: ProblemView,
  at: number,
  out: Decision[],
): void {
  const { config, counts, book } = parts;
  if (p.kind !== 'text' || p.human || p.areaKey === ALL) return;
  if (p.status !== 'suspected' && p.status !== 'confirmed') return;
  if (counts.now - p.detectedAt > config.topicSettleMs) return;
  if (!book.placeCheckDue(p.id)) return;
  // Its complainers still in the windows of its words, each customer once (their latest).
  const byCustomer = new Map<string, Entry>();
  for (const k of p.keys) {
    const ks = counts.keys.get(k);
    if (!ks) continue;
    for (const m of counts.members(ks)) if (m.problemId === p.id) byCustomer.set(m.customerId, m);
  }
  const placed = [...byCustomer.values()].filter((m) => m.area);
  if (!p.areaKey) {
    showWhere(counts, p, placed, at, out);
    return;
  }
  if (placed.length < MIN_PLACED) return;
  const place = wider(p, placed);
  if (place === undefined) return;
  const area = place?.area ?? countryWide(placed);
  out.push({
    type: 'refine',
    problemId: p.id,
    at,
    areaKey: place?.key ?? null,
    area,
    key: p.keys[0],
  });
  p.areaKey = place?.key ?? null;
  // (As read back from storage: a country shown is `all`.)
  p.shownKey = place?.key ?? (area ? ALL : null);
  p.chain = place ? place.chain : [];
}

type Place = { key: string; area: ReturnType<typeof areaAtLevel>; chain: string[] } | null;

/**
 * Once fewer than half of its placed complainers are inside its place: the place around its own
 * most of them share, else null (the country). Undefined: it stays.
 */
function wider(p: ProblemView, placed: Entry[]): Place | undefined {
  let inside = 0;
  for (const m of placed) if (areaChain(m.area).includes(p.areaKey!)) inside++;
  if (inside >= INSIDE_SHARE * placed.length) return undefined;
  const d = dominantArea(placed);
  if (!d || d.key === p.areaKey || !p.chain.includes(d.key)) return null;
  return { ...d, chain: p.chain.slice(p.chain.indexOf(d.key)) };
}

/**
 * A cluster raised with no place (its first complainers named too few) is counted and linked
 * everywhere for good, but it need not show "everywhere": once its placed complainers share a
 * country it shows that country, and once most of them are in one place, far beyond that place's
 * usual share of the desk's customers, that place (a caller-ID trouble of Detroit, found by its
 * words, 126 cases titled "— everywhere"). Only the area shown moves (a `refine` whose `areaKey`
 * stays null): what it counts and links is unchanged. (Moving the cluster there was tried and not
 * kept: TUNING.md.)
 */
function showWhere(counts: Counts, p: ProblemView, placed: Entry[], at: number, out: Decision[]) {
  let shown = placeOf(counts, placed, p.shownKey ?? null);
  // Not a place beside one whose key it took: its last hours' complainers are in Las Vegas, but
  // it took Oakland's counts the day before (simulator seed 9: two troubles in one cluster).
  if (shown && shown.key !== ALL && !p.keys.every((k) => around(k, shown!.key, shown!.area)))
    shown = { key: ALL, area: countryWide(placed)! };
  if (!shown || shown.key === p.shownKey) return;
  out.push({
    type: 'refine',
    problemId: p.id,
    at,
    areaKey: null,
    area: shown.area,
    key: p.keys[0],
  });
  p.shownKey = shown.key;
}

/** Placed complainers a placeless cluster needs before it shows a place inside its country … */
const HOME_MIN = 6;
/** … four in five of them there (of those naming a place at least as narrow) … */
const HOME_SHARE = 0.8;
/** … far beyond the place's usual share (a binomial tail), as a country-wide problem moves. */
const HOME_ALPHA = 1e-4;
/**
 * A place it shows stays while half of them are still there: at the four-in-five edge it would
 * flip between the city and the country, each flip an update sent out (settle-place.ts keeps
 * its place the same way).
 */
const HOME_STAY = 0.5;
/** A place this much of its parent's usual traffic is shown without the tail (settle-place.ts). */
const WHOLE_SHARE = 0.8;

/** The narrowest place its placed complainers show (the country at least), or null. */
function placeOf(
  counts: Counts,
  placed: Entry[],
  shownKey: string | null,
): { key: string; area: ReturnType<typeof areaAtLevel> } | null {
  const country = countryWide(placed);
  if (!country) return null;
  let key = ALL;
  let area: ReturnType<typeof areaAtLevel> = country;
  const shows = shownKey !== null && shownKey !== ALL;
  // Too few to say (its complainers leaving the windows): a place shown stays.
  if (placed.length < HOME_MIN) return shows ? null : { key, area };
  const chains = placed.map((m) => ({ chain: areaChain(m.area), area: m.area! }));
  // The place shown and the places around it.
  const held = shows ? chainFrom(chains, shownKey) : [];
  for (;;) {
    const { top, topN, topArea, naming, here } = tallyInside(chains, key);
    if (!top || topN < 3) break;
    if (held.includes(top)) {
      if (topN < HOME_STAY * (naming + here)) break;
    } else {
      if (topN < HOME_SHARE * (naming + here)) break;
      const usual = key === ALL ? counts.shareOfPlaced(top) : counts.shareWithin(top, key);
      // A place that is most of its parent's usual traffic (a state's one city on this desk)
      // cannot stand out of it: there, most complainers naming it say where the trouble is.
      if (usual < WHOLE_SHARE && binomialTail(topN, naming, usual) > HOME_ALPHA) break;
    }
    key = top;
    area = areaAtLevel(topArea!, key);
  }
  return { key, area };
}

/** Whether a key's place (if it has one) is the shown place, around it, or inside it. */
function around(key: string, shownKey: string, area: Area | ReturnType<typeof areaAtLevel>) {
  const at = key.indexOf('@');
  if (at < 0) return true;
  const place = key.slice(at + 1);
  return (
    place === ALL || areaChain(area).includes(place) || chainOfKey(place, null).includes(shownKey)
  );
}

/**
 * The text cluster a word's burst already mostly belongs to (its recent complainers are over
 * `text.maxLinkedShare` linked, so the word is never raised on its own), when that burst's
 * unlinked complainers naming a place are mostly in the cluster's place (or it has none): the
 * same trouble told in words the cluster was not raised on ("is your email server down?" beside
 * a Denver cluster raised on the provider's name). Another city's burst of the same words is
 * another trouble: a San Diego mail cluster owning "email" took Los Angeles's mail trouble.
 */
export function clusterOfWord(
  { counts, book }: Pick<DetectorParts, 'counts' | 'book'>,
  ks: KeyState,
): ProblemView | null {
  const holder = book.holder(ks);
  if (holder?.kind !== 'text') return null;
  return burstInPlace(counts, ks, holder) ? holder : null;
}

/**
 * Whether a word's burst (its members since the onset of its excess) is where a text cluster
 * is: its unlinked complainers naming a place are mostly inside the cluster's place (a cluster
 * without one, or a burst naming none, is anywhere). `orShown`: a cluster counted country-wide
 * is where it shows, the place most of its complainers name (`settleTextPlace`).
 */
export function burstInPlace(
  counts: Counts,
  ks: KeyState,
  p: ProblemView,
  orShown = false,
): boolean {
  const shown = orShown && p.shownKey && p.shownKey !== ALL ? p.shownKey : null;
  const place = p.areaKey && p.areaKey !== ALL ? p.chain : shown ? chainOfKey(shown, null) : null;
  if (!place) return true;
  let placed = 0;
  let inside = 0;
  for (const m of counts.linkable(ks)) {
    if (m.problemId || !m.area) continue;
    placed++;
    if (nested(areaChain(m.area), place)) inside++;
  }
  return inside * 2 >= placed;
}
