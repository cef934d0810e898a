/**
 * Where a set of complainers naming a place are: how many customers name one, the city most of
 * them name, whether they gather in a place far beyond its usual share of the desk's placed
 * customers, and whether a problem shows in a place (`localBeside` in same-trouble.ts).
 */
import { areaChain } from './areas.js';
import type { Counts } from './counts.js';
import { binomialTail } from './stats.js';
import type { Entry } from './window.js';

/** Whether a problem's complainers are in a place already: three of them, or beyond its share. */
export function showsIn(counts: Counts, own: Entry[], place: string): boolean {
  const inside = placedCustomers(own.filter((m) => areaChain(m.area).includes(place)));
  return inside >= SHOWS_MIN || gathersIn(counts, own, place);
}
const SHOWS_MIN = 3;

/** Distinct customers among the members naming a place. */
export function placedCustomers(members: Entry[]): number {
  return new Set(members.filter((m) => m.area).map((m) => m.customerId)).size;
}

/** Whether the members naming a place are in `place` far beyond its usual share. */
export function gathersIn(counts: Counts, members: Entry[], place: string): boolean {
  let placedN = 0;
  let inside = 0;
  const seen = new Set<string>();
  for (const m of members) {
    if (!m.area || seen.has(m.customerId)) continue;
    seen.add(m.customerId);
    placedN++;
    if (areaChain(m.area).includes(place)) inside++;
  }
  if (placedN === 0) return false;
  const usual = Math.min(1, counts.shareOfPlaced(place));
  return binomialTail(inside, placedN, usual) <= GATHER_ALPHA;
}
const GATHER_ALPHA = 1e-3;

/** The city (else region) most of the members naming a place name. */
export function busiestCity(members: Entry[]): string | null {
  const n = new Map<string, number>();
  for (const m of members) {
    const c = areaChain(m.area);
    // The first key of a chain below a ZIP code's is its city's; a region alone is its own.
    const place = c.find((k) => k.startsWith('t:')) ?? c.find((k) => k.startsWith('r:'));
    if (place) n.set(place, (n.get(place) ?? 0) + 1);
  }
  let best: string | null = null;
  let bestN = 0;
  for (const [k, v] of n) if (v > bestN) [best, bestN] = [k, v];
  return best;
}
