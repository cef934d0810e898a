/**
 * Places named without a state or country: the whole profile location field, "in Denver" in a
 * sentence, a place before "airport"/"store"/"area", in brackets ("(Boston)"), heading the
 * message before a dash ("Detroit - …"), or a hashtag ("#Missouri"). With nothing to
 * say which state is meant, only sizeable, unambiguous places count ("in Mobile" is usually not
 * Alabama), plus US nicknames and large places abroad from our lists.
 */

import { aliasOf, aloneCityArea, cityArea, markedAlone } from './area-city.js';
import { cityKey, dominantCity, findCity, gaz } from './area-gazetteer.js';
import {
  AMBIGUOUS,
  countryOfRegion,
  NOT_ALONE,
  PLACE_WORD_CITIES,
  SHARED_NAMES,
  WORLD_PLACES,
} from './area-places.js';
import type { Area } from './types.js';

// "all over NYC", "throughout Chicago", "on the east side of Tucson"; "the" before nicknames that
// take it ("in the Big Apple", "in the Bay Area").
const IN_PLACE_RE =
  /\b(in|near|around|at|across|outside|from|downtown|over|throughout|(?:[Ss]ide|[Pp]arts?|[Ee]dge|[Oo]utskirts) of) (?:the )?([A-Z][A-Za-z.'-]+(?: [A-Z][A-Za-z.'-]+){0,2})/g;
/**
 * How surely the words before a name put a place there: 0 not at all ("at Target", "from Amazon",
 * before a place noun), 1 they put the customer or the trouble somewhere ("in", "near", a hashtag),
 * 2 only a place can follow ("downtown", "the east side of"). The doubtful places of barePlace
 * need 1, a one-ZIP town 2.
 */
type Context = 0 | 1 | 2;

function contextOf(preposition: string): Context {
  if (preposition === 'downtown' || preposition.endsWith(' of')) return 2;
  return preposition === 'at' || preposition === 'from' ? 0 : 1;
}

// Also the people of a place: "Pittsburgh customer: internet and tv are both out" (QA replay).
// Only a place that needs no "in" to be one reads here (barePlace with no context): not "Buffalo
// customer", "Verizon customer"; and not a firm's "Phoenix customer service".
const PLACE_NOUN_RE =
  /\b([A-Z][A-Za-z.'-]+(?: [A-Z][A-Za-z.'-]+){0,2}) (?:[Aa]irport|[Tt]rain [Ss]tation|[Ss]tation|[Ss]tores?|[Bb]ranch(?:es)?|[Oo]utlets?|[Aa]rea|[Mm]all|[Cc]ustomers?(?! [Ss]ervice| [Cc]are| [Ss]upport)|[Rr]esidents?|[Ss]ubscribers?)\b/g;
/**
 * A place in parentheses, alone or as an area: "no signal since noon (Boston)", "(San Diego
 * area)". The brackets set it apart as where the writer is, as "in" does.
 */
const PAREN_PLACE_RE = /\(([A-Z][A-Za-z.'-]+(?: [A-Z][A-Za-z.'-]+){0,2})(?: [Aa]rea)?\)/g;
/**
 * A place heading the message, before a dash or colon: "Detroit - caller ID shows the wrong
 * name", "@VireoCare Los Angeles: no data". After handles or a greeting only. Read as a place
 * named with nothing around it (a sizeable, unambiguous one): "Austin - thanks!" may be a person,
 * but Austin is large enough to be read anywhere.
 */
const LEAD_PLACE_RE =
  /^(?:(?:@\w+|[Hh]i|[Hh]ello|[Hh]ey|[Gg]ood (?:morning|afternoon|evening))[,!]?\s+)*(?:[Dd]owntown )?([A-Z][A-Za-z.'-]+(?: [A-Z][A-Za-z.'-]+){0,2}) ?[-–—:] /;
/** A cheap first test for PLACE_NOUN_RE, whose runs of capitalised words cost more. */
const PLACE_NOUNS_RE =
  /airport|station|store|branch|outlet|area|mall|customer|resident|subscriber/i;
// "#LasCruces", and in capitals only a nickname ("#ABQ", "#NYC").
const HASHTAG_RE = /#([A-Z][a-z]+(?:[A-Z][a-z]+){0,2}|[A-Z]{2,5})\b/g;

/**
 * A bare place in a sentence: after "in"/"near"/..., then before a place noun, then (when
 * `hashtag` says the text has a capitalised hashtag) as a hashtag, which may also be a state.
 * `cased` says the capitals are the writer's: a text re-read with capitals added
 * (area-lowercase.ts) has every word capitalised, so only sizeable places are read there.
 * With `state` (the author's profile's), only a town of that state is read (townOfState).
 */
export function barePlaceInText(
  text: string,
  hashtag: boolean,
  cased = true,
  state?: string,
): Area | null {
  for (const m of text.matchAll(IN_PLACE_RE)) {
    const area = bareRun(m[2].split(' '), false, contextOf(m[1]), cased, state);
    if (area) return area;
  }
  if (PLACE_NOUNS_RE.test(text))
    for (const m of text.matchAll(PLACE_NOUN_RE)) {
      // "Buffalo area": only a place has an area, as only a place follows "in".
      const context = /area$/i.test(m[0]) ? 1 : 0;
      const area = bareRun(m[1].split(' '), true, context, cased, state);
      if (area) return area;
    }
  if (text.includes('('))
    for (const m of text.matchAll(PAREN_PLACE_RE)) {
      const area = bareRun(m[1].split(' '), false, 1, cased, state) ?? namedState(m[1], state);
      if (area) return area;
    }
  const lead = LEAD_PLACE_RE.exec(text);
  if (lead) {
    // A state heads a message as a town does ("Texas - autopay ran twice").
    const area = bareRun(lead[1].split(' '), false, 0, cased, state) ?? namedState(lead[1], state);
    if (area) return area;
  }
  if (hashtag) {
    for (const m of text.matchAll(HASHTAG_RE)) {
      if (m[1] === m[1].toUpperCase()) {
        const alias = state ? undefined : aliasOf(m[1]);
        if (alias) return cityArea(findCity(alias[0], alias[1]), 0.5);
        continue;
      }
      const name = m[1].replace(/([a-z])([A-Z])/g, '$1 $2');
      const area = state
        ? townOfState(name, state, 1)
        : (barePlace(name, 1, cased) ?? stateAlone(name));
      if (area) return area;
    }
  }
  return null;
}

/**
 * A town of the author's state named alone: "in Springfield" from a profile in Missouri, which
 * without it names no one place. Only a town of some size (three ZIP codes: Portland, Maine has
 * nine): every large city has a one-ZIP namesake in many states ("Dallas, PA"), and a writer
 * from Pennsylvania who says "in Dallas" means Texas. Not names that are words or say something
 * else alone (AMBIGUOUS, NOT_ALONE), unless the words before put a place there and a place is all
 * they are said as there (PLACE_WORD_CITIES: "in Buffalo", not "at Buffalo Wild Wings").
 */
export function townOfState(
  name: string,
  state: string,
  context: Context = 1,
  minZips = 3,
): Area | null {
  const key = cityKey(name);
  if (AMBIGUOUS.has(key) && !(context && PLACE_WORD_CITIES.has(key))) return null;
  if (NOT_ALONE.has(key)) return null;
  const hit = findCity(name, state);
  return hit && hit.zips >= minZips ? cityArea(hit, 0.5) : null;
}

/** A state named by itself, unless its name is as often something else ("Washington"). */
function namedState(name: string, state: string | undefined): Area | null {
  return state || AMBIGUOUS.has(cityKey(name)) ? null : stateAlone(name);
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

/**
 * Tries "San Francisco Bay" → "San Francisco" → "San" (and, before a noun, later words too).
 * `context` (contextOf) counts only for the whole run, or the run up to a sentence's full stop
 * ("here in Providence. Not happy"): "in Hilo", "here in Buffalo", not "at Buffalo Wild Wings"
 * nor "in English Class".
 */
function bareRun(
  words: string[],
  anyStart: boolean,
  context: Context,
  cased: boolean,
  state: string | undefined,
): Area | null {
  // "in LA LA land": a doubled word is a name only as a whole ("Walla Walla").
  const doubled = words.length > 1 && words[0] === words[1];
  const starts = anyStart ? words.length : 1;
  for (let s = 0; s < starts; s++)
    for (let n = words.length; n > (doubled ? s + 1 : s); n--) {
      // Before a noun the run's last words are the name ("… Out Buffalo Area" re-read in capitals).
      const whole = anyStart
        ? n === words.length
        : s === 0 && (n === words.length || words[n - 1].endsWith('.'));
      const name = words.slice(s, n).join(' ');
      const at = whole ? context : 0;
      const area = state ? townOfState(name, state, at) : barePlace(name, at, cased);
      if (area) return area;
    }
  return null;
}

/**
 * A place named alone: a US nickname, a large place abroad, or a sizeable unambiguous US city;
 * where `context` puts a place, also the cities of PLACE_WORD_CITIES and, if `cased`, a smaller
 * place whose name the ZIP data gives to one place (dominantCity). Those want the writer's
 * capital: in a text re-read with capitals (area-lowercase.ts), "in harmony" would be a town.
 */
function barePlace(name: string, context: Context, cased: boolean): Area | null {
  const alias = aliasOf(name);
  if (alias) return cityArea(findCity(alias[0], alias[1]), 0.5);
  const key = cityKey(name);
  const world = WORLD_PLACES.get(key);
  if (world) {
    // Named alone, so a writer in the US may mean its US namesake (area.ts, usNamesake).
    const area = { postalCode: null, city: world[0], region: null, country: world[1] };
    return markedAlone({ ...area, confidence: 0.5 });
  }
  if (AMBIGUOUS.has(key)) {
    // Where only a place can follow ("downtown Washington": a state has no downtown), a city of
    // some size is the place; elsewhere only the names a place is all they are said as there.
    const city = context === 2 || (context && PLACE_WORD_CITIES.has(key)) ? findCity(name) : null;
    return city && (context !== 2 || city.zips >= 15) ? aloneCityArea(city, 0.5) : null;
  }
  if (SHARED_NAMES.has(key)) return null;
  const hit = findCity(name);
  if (hit && hit.zips >= 15) return aloneCityArea(hit, 0.5);
  return context && cased ? aloneCityArea(dominantCity(name, context === 2), 0.4) : null;
}

/**
 * A whole profile location field as one place: a nickname, else the part before the first
 * separator ("Denver • coffee") as a large place abroad or a US city of some size; smaller
 * towns get lower confidence.
 */
export function profileCity(text: string): Area | null {
  // "Spokane ↔ Denver", "Boise → wherever": the first place is home. An emoji between them ("↔"
  // is one) reaches here as the spaces area.ts put in its place.
  const first = text.split(/[,|/(•·→-]|\s{2,}/)[0].trim();
  const alias = aliasOf(text.trim()) ?? aliasOf(first);
  if (alias) return cityArea(findCity(alias[0], alias[1]), 0.6);
  // A large place abroad before a US town of its name, as in a sentence ("in London"): a
  // profile that says "London" is not London, Kentucky.
  const world = WORLD_PLACES.get(cityKey(first));
  if (world)
    return { postalCode: null, city: world[0], region: null, country: world[1], confidence: 0.5 };
  if (PLACE_WORD_CITIES.has(cityKey(first))) return cityArea(findCity(first), 0.6);
  if (!AMBIGUOUS.has(cityKey(first))) {
    const hit = findCity(first);
    // Two towns of one size ("Roswell": Georgia's and New Mexico's) are a guess.
    const next = gaz().cities.get(cityKey(first))?.[1];
    if (hit && hit.zips >= 3 && (hit.zips >= 20 || hit.zips > (next?.zips ?? 0)))
      return cityArea(hit, hit.zips >= 20 ? 0.6 : 0.4);
    // A smaller town the ZIP data gives one place to ("Hilo"); not a one-ZIP one ("the Rock").
    const small = dominantCity(first, false);
    if (small && small.zips >= 2) return cityArea(small, 0.4);
  }
  return null;
}
