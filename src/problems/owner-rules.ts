import { AppError } from '../platform/errors.js';
import { findCity } from '../triage/area-gazetteer.js';
import { WORLD_PLACES } from '../triage/area-places.js';
import { manualArea, readArea } from './manual-area.js';
import { placeText, readPlace } from './place-text.js';
import { placeWithin } from './place-within.js';
import type { ProblemArea } from './problem.store.js';

/*
 * Owner rules name a team for problems of a topic and a place (problem settings). The place was
 * an `areaPrefix` compared with the detector's internal area keys ("r:US:TX", "t:US:TX:austin",
 * "p:US:78701"): undocumented, never checked, and a state's key is no prefix of its cities' or
 * ZIP codes', so "US:TX" or even "r:US:TX" left most Texas problems ownerless. A rule's `area` is
 * now a place written as the problem list's `?area=` reads one, checked when saved, stored as
 * `placeText` writes it, and it matches problems in that place or inside it.
 */

/** One owner rule; `areaPrefix` only on a rule stored before, whose key names no place. */
export interface OwnerRule {
  topic?: string;
  /** A place: "78701", "Austin, TX", "TX", "Toronto, ON, Canada", "US". */
  area?: string;
  /** The old key prefix ("p:US:941", a ZIP range); given anew, it is read as `area` is. */
  areaPrefix?: string;
  team: string;
}

/**
 * Rules as an admin gives them: each place read and written back in the stored form, or a 400
 * naming the rule and the text. `areaPrefix` (the field's old name) takes a place or an old key.
 */
export function ownerRulesIn(rules: readonly OwnerRule[]): OwnerRule[] {
  return rules.map((r, i) => {
    const { area, areaPrefix, ...rest } = r;
    if (area !== undefined && areaPrefix !== undefined)
      throw new AppError(
        'bad_request',
        `ownerRules/${i}: give area only (areaPrefix is its old name, read as a place)`,
      );
    const text = area ?? areaPrefix;
    if (text === undefined) return rest;
    const field = area !== undefined ? 'area' : 'areaPrefix';
    let place: ProblemArea | null;
    try {
      place = (areaPrefix !== undefined ? placeOfKey(text) : null) ?? readPlace(text);
    } catch (e) {
      if (e instanceof AppError)
        throw new AppError(e.code, `ownerRules/${i}/${field}: ${e.message}`);
      throw e;
    }
    if (!place)
      throw new AppError(
        'bad_request',
        `ownerRules/${i}/${field}: no known place "${text.trim()}"; give a ZIP code, a city with its state ("Austin, TX"), a state ("TX"), or a country ("US", "Berlin, Germany"), as the problem list's area filter reads one`,
      );
    return { ...rest, area: placeText(place) };
  });
}

/**
 * Rules as stored: one saved with an old key that names a place ("r:US:TX") reads as that place
 * ("TX"); one whose key names none (a ZIP range, "p:US:941") keeps it and matches as before.
 */
export function readOwnerRules(rules: readonly OwnerRule[]): OwnerRule[] {
  return rules.map((r) => {
    if (r.area !== undefined || r.areaPrefix === undefined) return r;
    const place = placeOfKey(r.areaPrefix);
    if (!place) return r;
    const { areaPrefix: _, ...rest } = r;
    return { ...rest, area: placeText(place) };
  });
}

/**
 * The owner team of a problem of this topic and area (the first matching rule), or null. A
 * rule's place matches a problem there or inside it (`placeWithin`, as the problem list's area
 * filter finds it): "TX" a Texas city or ZIP code, not a country-wide problem (that is other
 * states' too); "New York, NY" Brooklyn and Flushing too. An old key prefix matches the
 * problem's key.
 */
export function ownerFor(
  settings: { ownerRules: readonly OwnerRule[] },
  topic: string | null,
  area: Partial<ProblemArea> | null,
  areaKey: string | null,
): string | null {
  for (const r of settings.ownerRules) {
    if (r.topic && r.topic !== topic) continue;
    if (r.area !== undefined) {
      const place = storedPlace(r.area);
      const a = readArea(area);
      if (!place || !a || !placeWithin(a, place)) continue;
    } else if (r.areaPrefix && !(areaKey ?? '').startsWith(r.areaPrefix)) continue;
    return r.team;
  }
  return null;
}

/** A stored rule's place; one that no longer reads (a gazetteer change) matches nothing. */
function storedPlace(text: string): ProblemArea | null {
  try {
    return readPlace(text);
  } catch {
    return null;
  }
}

/**
 * The place an old rule's key names, or null: "p:US:78701" a ZIP code, "t:US:TX:austin" a city,
 * "r:US:TX" (or "t:US:TX", every city in it) a state, "r:US" a country. Not a whole key ("p:US:941",
 * "all"), not a known place, or not a key at all: null.
 */
function placeOfKey(key: string): ProblemArea | null {
  const m = /^([prt]):([A-Z]{2}):?(.*)$/.exec(key.trim());
  if (!m) return null;
  const [, level, country, tail] = m;
  let area: Partial<ProblemArea>;
  if (!tail) area = { country };
  else if (level === 'p') area = { postalCode: tail, country };
  else {
    const [region, ...city] = tail.split(':');
    area = { region: region === '?' ? null : region, city: city.join(':') || null, country };
  }
  let place: ProblemArea | null;
  try {
    place = manualArea(area);
  } catch {
    return null;
  }
  // Keys hold cities in lower case: the place is written as its gazetteer names it.
  if (place?.city)
    place.city =
      (place.country === 'US'
        ? findCity(place.city, place.region ?? undefined)?.city
        : WORLD_PLACES.get(place.city)?.[0]) ?? place.city;
  return place;
}
