import { inCity } from '../triage/area-city-parts.js';
import { CANADIAN_CITY_PROVINCE } from '../triage/area-places.js';
import type { ProblemArea } from './problem.store.js';

/*
 * Whether one place lies in another: how an owner rule's place takes a problem (owner-rules.ts)
 * and how the problem list's `?area=` finds one (problem.list.ts), the same function for both, so
 * a rule takes exactly the problems the list shows for its place.
 *
 * A city's problems are also those of its parts that the ZIP gazetteer names as cities of their
 * own: a rule for "New York, NY" took no problem in Brooklyn, the Bronx, Staten Island or Queens
 * (Flushing, Jamaica…). src/triage/area-city-parts.ts says which and why by ZIP code, not by the
 * gazetteer's coordinates.
 */

/**
 * Whether `inner` lies in `outer`: the same ZIP code when `outer` names one; else in its country
 * (the US when not given, as the detector's keys read it), its state when it names one, and its
 * city when it names one, by the city's name ("St." as "Saint") or as a part of it (above).
 */
export function placeWithin(inner: ProblemArea, outer: ProblemArea): boolean {
  if (!same(inner.country ?? 'US', outer.country ?? 'US')) return false;
  if (outer.postalCode) return same(inner.postalCode, outer.postalCode);
  if (outer.region && !same(inner.region ?? provinceOf(inner), outer.region)) return false;
  return !outer.city || inCity(inner, outer.city, outer.region);
}

/** A Canadian city's province, which triage leaves out (it reads the city alone). */
function provinceOf(a: ProblemArea): string | null {
  if (!same(a.country, 'CA') || !a.city) return null;
  return CANADIAN_CITY_PROVINCE.get(a.city.trim().toLowerCase()) ?? null;
}

function same(x: string | null | undefined, y: string | null | undefined): boolean {
  return (
    (x ?? '').toUpperCase().replace(/\s+/g, '') === (y ?? '').toUpperCase().replace(/\s+/g, '')
  );
}
