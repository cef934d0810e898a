/**
 * Where a text cluster's trouble is. A cluster is raised from a handful of similar complaints and
 * shows the place most of those name (`dominantArea`); a country-wide trouble whose first few
 * complainers happened to be in one state was shown in that state for good (a QA replay's
 * caller-ID trouble across the country, titled "— NE"). While the cluster is young, the place
 * widens when its linked complainers who name a place mostly name places outside it: to the
 * narrowest place most of them share, or the whole country. One raised with no place shows the
 * place three in four of them share, once six do (a Jacksonville outage found by its words first
 * was "— everywhere" for good).
 */
import type { Area } from '../../triage/index.js';
import { ALL, areaAtLevel, areaChain, countryWide } from './areas.js';
import type { DetectorParts } from './book.js';
import type { Decision, ProblemView } from './types.js';
import type { Entry } from './window.js';

/** Share of the members naming a place that must share one for the cluster to show it. */
const DOMINANT_SHARE = 0.6;
/** A cluster widens once this many of its complainers name a place … */
const MIN_PLACED = 6;
/** … and fewer than this share of them name a place inside its own. */
const INSIDE_SHARE = 0.5;
/** A cluster raised with no place shows the one this share of its placed complainers share. */
const NARROW_SHARE = 0.75;

/** The most specific area shared by at least `share` of the members naming one, or null. */
export function dominantArea(members: Entry[], share = DOMINANT_SHARE) {
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
    if (c.n < share * placed) continue;
    const rank = k.startsWith('p:') ? 3 : k.startsWith('t:') ? 2 : 1;
    if (rank > bestRank) {
      bestRank = rank;
      best = { key: k, area: areaAtLevel(c.area, k) };
    }
  }
  return best;
}

/**
 * Checks (at most once a minute of event time) where a young automatic text cluster's linked
 * complainers are, and pushes a `refine` when the place it shows no longer fits: wider once they
 * spread beyond it (its `areaKey` null for the whole country), or, for one raised with no place
 * (few of its first complainers named one), the place most of them turn out to share (a city's
 * outage found by its words first stayed "— everywhere").
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
  if (placed.length < MIN_PLACED) return;
  const place = p.areaKey ? wider(p, placed) : narrower(placed);
  if (place === undefined) return;
  out.push({
    type: 'refine',
    problemId: p.id,
    at,
    areaKey: place?.key ?? null,
    area: place?.area ?? countryWide(placed),
    key: p.keys[0],
  });
  p.areaKey = place?.key ?? null;
  p.shownKey = p.areaKey;
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

/** Where three in four of its placed complainers are (no narrower than a city), or undefined. */
function narrower(placed: Entry[]): Place | undefined {
  const d = dominantArea(placed, NARROW_SHARE);
  if (!d || d.key.startsWith('p:')) return d ? cityOf(d.key, placed) : undefined;
  const m = placed.find((x) => areaChain(x.area).includes(d.key))!;
  const chain = areaChain(m.area);
  return { ...d, chain: chain.slice(chain.indexOf(d.key)) };
}

/** The city around a ZIP most complainers share (a word burst is a city's trouble at least). */
function cityOf(zip: string, placed: Entry[]): Place | undefined {
  const m = placed.find((x) => areaChain(x.area)[0] === zip);
  const chain = m ? areaChain(m.area) : [];
  const city = chain.find((k) => k.startsWith('t:'));
  if (!m || !city) return undefined;
  return { key: city, area: areaAtLevel(m.area, city), chain: chain.slice(chain.indexOf(city)) };
}
