import type { Area } from '../../triage/index.js';

/**
 * Area keys at nested levels. A complaint is counted under every level it names (postal code →
 * city → region) plus `all`, so an outage is seen at whichever level its complaints concentrate.
 * Keys are stable strings: `p:US:94110`, `t:US:CA:san francisco`, `r:US:CA`, `all`.
 */
export type AreaLevel = 'postalCode' | 'city' | 'region' | 'all';

export const ALL = 'all';

/** Keys from most specific to `all`. */
export function areaChain(
  area: Pick<Area, 'postalCode' | 'city' | 'region' | 'country'> | null,
): string[] {
  if (!area) return [ALL];
  const country = (area.country ?? 'US').toUpperCase();
  const out: string[] = [];
  if (area.postalCode)
    out.push(`p:${country}:${area.postalCode.toUpperCase().replace(/\s+/g, '')}`);
  if (area.city)
    out.push(`t:${country}:${(area.region ?? '?').toUpperCase()}:${area.city.toLowerCase()}`);
  if (area.region) out.push(`r:${country}:${area.region.toUpperCase()}`);
  out.push(ALL);
  return out;
}

export function levelOf(key: string): AreaLevel {
  if (key.startsWith('p:')) return 'postalCode';
  if (key.startsWith('t:')) return 'city';
  if (key.startsWith('r:')) return 'region';
  return 'all';
}

/** The problem-facing area for a key, with levels finer than the key blanked out. */
export function areaAtLevel(
  area: Pick<Area, 'postalCode' | 'city' | 'region' | 'country'> | null,
  key: string,
): {
  postalCode: string | null;
  city: string | null;
  region: string | null;
  country: string | null;
} {
  const level = levelOf(key);
  if (!area) return { postalCode: null, city: null, region: null, country: null };
  if (level === 'all')
    return { postalCode: null, city: null, region: null, country: area.country ?? null };
  return {
    postalCode: level === 'postalCode' ? area.postalCode : null,
    city: level === 'postalCode' || level === 'city' ? area.city : null,
    region: area.region,
    country: area.country ?? 'US',
  };
}

/**
 * True when one area lies inside the other (or they are equal): a ZIP and its city, a city and
 * its state. Used to merge nested detections and to link complaints naming a coarser area.
 */
export function nested(chainA: readonly string[], chainB: readonly string[]): boolean {
  return chainA.includes(chainB[0]) || chainB.includes(chainA[0]);
}

/**
 * The chain from a key upwards. Parents are derived from the key itself (a ZIP key does not
 * name its city, so `area` supplies it when known).
 */
export function chainOfKey(
  key: string,
  area: Pick<Area, 'postalCode' | 'city' | 'region' | 'country'> | null,
): string[] {
  if (area) {
    const full = areaChain(area);
    const i = full.indexOf(key);
    if (i >= 0) return full.slice(i);
  }
  const parts = key.split(':');
  if (key.startsWith('t:')) return [key, `r:${parts[1]}:${parts[2]}`, ALL];
  if (key === ALL) return [ALL];
  return [key, ALL];
}

/**
 * The area of a problem with no narrower place: the country most of its complainers who name a
 * place are in (at least three, and four in five of them), else null. A country-wide outage is
 * then "in US" for a client that compares or filters areas, not in no country at all.
 */
export function countryWide(
  members: readonly { area: Pick<Area, 'country'> | null }[],
): { postalCode: null; city: null; region: null; country: string } | null {
  const counts = new Map<string, number>();
  let placed = 0;
  for (const m of members) {
    const c = m.area?.country?.toUpperCase();
    if (!c) continue;
    placed++;
    counts.set(c, (counts.get(c) ?? 0) + 1);
  }
  for (const [country, n] of counts)
    if (placed >= 3 && n >= 0.8 * placed)
      return { postalCode: null, city: null, region: null, country };
  return null;
}

/** A complainer's place: its key chain (narrowest first, `areaChain`) and the area it named. */
export interface PlacedChain {
  chain: readonly string[];
  area: Area;
}

/** `key` and the places around it, as the first placed complainer inside it names them ([] if none). */
export function chainFrom(placed: readonly PlacedChain[], key: string): readonly string[] {
  const named = placed.find((m) => m.chain.includes(key))?.chain;
  return named ? named.slice(named.indexOf(key)) : [];
}

/**
 * How the complainers placed within `key` split over its next narrower places: the most named
 * one (ties to the smaller key, so the answer does not hang on arrival order), how many name it,
 * how many name any narrower place, and how many name `key` itself and nothing narrower.
 */
export function tallyInside(
  placed: readonly PlacedChain[],
  key: string,
): { top: string | null; topN: number; topArea: Area | null; naming: number; here: number } {
  const inner = new Map<string, { n: number; area: Area }>();
  let naming = 0;
  let here = 0;
  for (const m of placed) {
    const i = m.chain.indexOf(key);
    if (i === 0) here++;
    if (i <= 0) continue;
    naming++;
    const child = m.chain[i - 1];
    const c = inner.get(child);
    if (c) c.n++;
    else inner.set(child, { n: 1, area: m.area });
  }
  let top: string | null = null;
  let topN = 0;
  for (const [k, c] of inner) if (c.n > topN || (c.n === topN && k < top!)) [top, topN] = [k, c.n];
  return { top, topN, topArea: top ? inner.get(top)!.area : null, naming, here };
}
