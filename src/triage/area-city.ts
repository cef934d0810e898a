/**
 * A US city as an area, and the nicknames that name one ("NYC", "Philly"). Shared by the finders of
 * qualified places (area-qualified.ts) and bare places (area-bare.ts), so neither imports the other.
 */
import type { CityEntry } from './area-gazetteer.js';
import { US_ALIASES } from './area-places.js';
import type { Area } from './types.js';

/** A nickname's city; a short one only as capitals ("LA", not the "La" of "La Jolla"). */
export function aliasOf(name: string): [string, string] | undefined {
  const alias = (n: string) =>
    n.length <= 3 && n !== n.toUpperCase() ? undefined : US_ALIASES.get(n.toLowerCase());
  // As written ("L.A."), else without a sentence's full stop ("no signal around PDX. Fix it").
  return alias(name) ?? (name.endsWith('.') ? alias(name.slice(0, -1)) : undefined);
}

export function cityArea(hit: CityEntry | undefined, confidence: number): Area | null {
  if (!hit) return null;
  return { postalCode: null, city: hit.city, region: hit.state, country: 'US', confidence };
}

/**
 * Areas whose state the finders chose, because the text named the city without one ("in
 * Portland": Oregon's, the largest). The author's profile may still say which one is meant
 * (area.ts). Not a nickname's ("PDX" is Oregon's whatever the profile says), nor a place given
 * with its state or ZIP code.
 */
const namedAloneAreas = new WeakSet<Area>();

export function aloneCityArea(hit: CityEntry | undefined, confidence: number): Area | null {
  const area = cityArea(hit, confidence);
  if (area) namedAloneAreas.add(area);
  return area;
}

export function namedAlone(area: Area): boolean {
  return namedAloneAreas.has(area);
}

/** Marks an area found as a name alone, with nothing that says which place of the name it is. */
export function markedAlone(area: Area): Area {
  namedAloneAreas.add(area);
  return area;
}
