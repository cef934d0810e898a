/**
 * A US city as an area, and the nicknames that name one ("NYC", "Philly"). Shared by the finders of
 * qualified places (area-qualified.ts) and bare places (area-bare.ts), so neither imports the other.
 */
import type { CityEntry } from './area-gazetteer.js';
import { US_ALIASES } from './area-places.js';
import type { Area } from './types.js';

/** A nickname's city; a short one only as capitals ("LA", not the "La" of "La Jolla"). */
export function aliasOf(name: string): [string, string] | undefined {
  // A sentence's full stop is not part of the name ("no signal around PDX. Fix it").
  const bare = name.endsWith('.') ? name.slice(0, -1) : name;
  if (bare.length <= 3 && bare !== bare.toUpperCase()) return undefined;
  return US_ALIASES.get(bare.toLowerCase());
}

export function cityArea(hit: CityEntry | undefined, confidence: number): Area | null {
  if (!hit) return null;
  return { postalCode: null, city: hit.city, region: hit.state, country: 'US', confidence };
}
