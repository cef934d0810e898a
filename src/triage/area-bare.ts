/**
 * Places named without a state or country: the whole profile location field, "in Denver" in a
 * sentence, a place before "airport"/"store"/"branch", or a hashtag ("#Missouri"). With nothing to
 * say which state is meant, only sizeable, unambiguous places count ("in Mobile" is usually not
 * Alabama), plus US nicknames and large places abroad from our lists.
 */

import { aliasOf, cityArea } from './area-city.js';
import { cityKey, findCity, gaz } from './area-gazetteer.js';
import { AMBIGUOUS, countryOfRegion, WORLD_PLACES } from './area-places.js';
import type { Area } from './types.js';

// "all over NYC", "throughout Chicago"; "the" before nicknames that take it ("in the Big Apple",
// "in the Bay Area").
const IN_PLACE_RE =
  /\b(?:in|near|around|at|across|outside|from|downtown|over|throughout) (?:the )?([A-Z][A-Za-z.'-]+(?: [A-Z][A-Za-z.'-]+){0,2})/g;
const PLACE_NOUN_RE =
  /\b([A-Z][A-Za-z.'-]+(?: [A-Z][A-Za-z.'-]+){0,2}) (?:[Aa]irport|[Tt]rain [Ss]tation|[Ss]tation|[Ss]tores?|[Bb]ranch(?:es)?|[Oo]utlets?|[Aa]rea|[Mm]all)\b/g;
/** A cheap first test for PLACE_NOUN_RE, whose runs of capitalised words cost more. */
const PLACE_NOUNS_RE = /airport|station|store|branch|outlet|area|mall/i;
const HASHTAG_RE = /#([A-Z][a-z]+(?:[A-Z][a-z]+){0,2})\b/g;

/**
 * A bare place in a sentence: after "in"/"near"/..., then before a place noun, then (when
 * `hashtag` says the text has a capitalised hashtag) as a hashtag, which may also be a state.
 */
export function barePlaceInText(text: string, hashtag: boolean): Area | null {
  for (const m of text.matchAll(IN_PLACE_RE)) {
    const area = bareRun(m[1].split(' '), false);
    if (area) return area;
  }
  if (PLACE_NOUNS_RE.test(text))
    for (const m of text.matchAll(PLACE_NOUN_RE)) {
      const area = bareRun(m[1].split(' '), true);
      if (area) return area;
    }
  if (hashtag) {
    for (const m of text.matchAll(HASHTAG_RE)) {
      const name = m[1].replace(/([a-z])([A-Z])/g, '$1 $2');
      const area = barePlace(name) ?? stateAlone(name);
      if (area) return area;
    }
  }
  return null;
}

/** A state's full name alone ("#Missouri"). */
function stateAlone(name: string): Area | null {
  const state = gaz().stateNames.get(name.toLowerCase());
  return state
    ? {
        postalCode: null,
        city: null,
        region: state,
        country: countryOfRegion(state),
        confidence: 0.4,
      }
    : null;
}

/** Tries "San Francisco Bay" → "San Francisco" → "San" (and, before a noun, later words too). */
function bareRun(words: string[], anyStart: boolean): Area | null {
  const starts = anyStart ? words.length : 1;
  for (let s = 0; s < starts; s++)
    for (let n = words.length; n > s; n--) {
      const area = barePlace(words.slice(s, n).join(' '));
      if (area) return area;
    }
  return null;
}

/** A place named alone: a US nickname, a large place abroad, or a sizeable unambiguous US city. */
function barePlace(name: string): Area | null {
  const alias = aliasOf(name);
  if (alias) return cityArea(findCity(alias[0], alias[1]), 0.5);
  const key = cityKey(name);
  const world = WORLD_PLACES.get(key);
  if (world)
    return { postalCode: null, city: world[0], region: null, country: world[1], confidence: 0.5 };
  if (AMBIGUOUS.has(key)) return null;
  const hit = findCity(name);
  return hit && hit.zips >= 15 ? cityArea(hit, 0.5) : null;
}

/**
 * A whole profile location field as one place: a nickname, else the part before the first
 * separator ("Denver • coffee") as a large place abroad or a US city of some size; smaller
 * towns get lower confidence.
 */
export function profileCity(text: string): Area | null {
  const first = text.split(/[,|/(•-]/)[0].trim();
  const alias = aliasOf(text.trim()) ?? aliasOf(first);
  if (alias) return cityArea(findCity(alias[0], alias[1]), 0.6);
  // A large place abroad before a US town of its name, as in a sentence ("in London"): a
  // profile that says "London" is not London, Kentucky.
  const world = WORLD_PLACES.get(cityKey(first));
  if (world)
    return { postalCode: null, city: world[0], region: null, country: world[1], confidence: 0.5 };
  if (!AMBIGUOUS.has(cityKey(first))) {
    const hit = findCity(first);
    if (hit && hit.zips >= 3) return cityArea(hit, hit.zips >= 20 ? 0.6 : 0.4);
  }
  return null;
}
