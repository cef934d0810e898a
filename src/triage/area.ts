/**
 * Where a message's trouble is, found in the text, else in the author's profile location: a US
 * ZIP code, a UK postcode, a place with its state or country ("Marlboro MA", "Norfolk,Va",
 * "Lagos, Nigeria"), a state or country after "in" ("here in Canada"), or a sizeable place named
 * alone after "in", before "airport"/"store"/"branch", or as a hashtag. US places come from the
 * ZIP data of npm `zipcodes` (BSD, area-gazetteer.ts), UK postcode validation from `postcode`
 * (MIT), everything else from our lists (area-places.ts). Outside the US only the country and,
 * for large places, the city are given.
 */
import { isValid as isUkPostcode, toArea, toNormalised } from 'postcode';
import { type CityEntry, cityKey, findCity, gaz } from './area-gazetteer.js';
import {
  AMBIGUOUS,
  COUNTRIES,
  MIXED_CASE_WORDS,
  STATE_SHORT,
  US_ALIASES,
  US_STATES,
  WORDLIKE_STATE_CODES,
  WORLD_PLACES,
} from './area-places.js';
import type { Area } from './types.js';

// Not after a letter: "CM30055" and "Train12404" are model and train numbers.
const ZIP_RE = /(?<![\dA-Za-z$#.,/-])(\d{5})(?:-\d{4})?(?![\d,.]\d|\d)/g;
const UK_RE = /\b([A-Za-z]{1,2}\d[A-Za-z\d]?) ?(\d[A-Za-z]{2})\b/g;
const ZIP_CONTEXT_RE =
  /\b(?:(?:zip|zipcode|zip code|postal code)(?: is)?|area|in|near|around|code)\W*$/i;
const NOT_ZIP_CONTEXT_RE =
  /(?:order|account|acct|ticket|case|ref|reference|number|no|confirmation|tracking|pin|id|train|flight|coach|carriage|model|item|build|update|version|error|complaint)\W*$/i;
// "90210 years", "76000 miles": a count, not a place.
const NOT_ZIP_AFTER_RE =
  /^\s*(?:years?|yrs?|miles?|mi|km|kms|points?|pts|dollars|bucks|people|times|followers|views|steps|calories|words|hours|hrs|minutes|mins|days)\b/i;
/** What may stand between a place and its state or country: "Malden, MA", "Norfolk,Va", "#Lynn #Massachusetts". */
const QUALIFIER_GAP_RE = /^(?:, ?| )#?$/;
/** Text before a place that says the customer or trouble is there ("here in northern NJ"). */
const PLACE_PREPOSITION_RE =
  /\b(?:in|at|near|around|across|outside|from|throughout|within)(?: the)?(?: (?:north|south|east|west|central|northern|southern|eastern|western|upstate|downstate|rural))? #?$/i;
const IN_PLACE_RE =
  /\b(?:in|near|around|at|across|outside|from|downtown) ([A-Z][A-Za-z.'-]+(?: [A-Z][A-Za-z.'-]+){0,2})/g;
const PLACE_NOUN_RE =
  /\b([A-Z][A-Za-z.'-]+(?: [A-Z][A-Za-z.'-]+){0,2}) (?:[Aa]irport|[Tt]rain [Ss]tation|[Ss]tation|[Ss]tores?|[Bb]ranch(?:es)?|[Oo]utlets?|[Aa]rea|[Mm]all)\b/g;
/** A cheap first test for PLACE_NOUN_RE, whose runs of capitalised words cost more. */
const PLACE_NOUNS_RE = /airport|station|store|branch|outlet|area|mall/i;
const HASHTAG_RE = /#([A-Z][a-z]+(?:[A-Z][a-z]+){0,2})\b/g;

function fromZip(code: string, confidence: number): Area | null {
  const hit = gaz().zip(code);
  if (!hit) return null;
  return { postalCode: code, city: hit.city, region: hit.state, country: 'US', confidence };
}

/** Finds an area in one piece of text. `profile` text is a location field, not a sentence. */
export function areaInText(text: string, profile: boolean): Area | null {
  if (!text) return null;
  const can = shapeOf(text);
  // 1. ZIP codes, checked against the ZIP data; a 5-digit order number is not a ZIP.
  if (can.zip) {
    const area = zipInText(text, profile);
    if (area) return area;
  }
  // 2. UK postcodes (full form only: an outward code alone is too easily a product code).
  if (can.uk) {
    for (const m of text.matchAll(UK_RE)) {
      const code = `${m[1]} ${m[2]}`;
      if (!isUkPostcode(code)) continue;
      return {
        postalCode: toNormalised(code),
        city: null,
        region: toArea(code),
        country: 'GB',
        confidence: 0.85,
      };
    }
  }
  if (!can.capital) return null;
  // 3. A place with its state or country, or a state or country after "in".
  const qualified = qualifiedPlace(text, profile);
  if (qualified) return qualified;
  // 4. A bare place: the whole profile field, or "in Denver" in a sentence. Only sizeable,
  //    unambiguous places, because "in Mobile" is usually not Alabama.
  if (profile) {
    const area = profileCity(text);
    if (area) return area;
  }
  for (const m of text.matchAll(IN_PLACE_RE)) {
    const area = bareRun(m[1].split(' '), false);
    if (area) return area;
  }
  if (PLACE_NOUNS_RE.test(text))
    for (const m of text.matchAll(PLACE_NOUN_RE)) {
      const area = bareRun(m[1].split(' '), true);
      if (area) return area;
    }
  if (can.hashtag) {
    for (const m of text.matchAll(HASHTAG_RE)) {
      const name = m[1].replace(/([a-z])([A-Z])/g, '$1 $2');
      const area = barePlace(name) ?? stateAlone(name);
      if (area) return area;
    }
  }
  return null;
}

function zipInText(text: string, profile: boolean): Area | null {
  for (const m of text.matchAll(ZIP_RE)) {
    const before = text.slice(Math.max(0, m.index - 24), m.index);
    if (NOT_ZIP_CONTEXT_RE.test(before)) continue;
    if (NOT_ZIP_AFTER_RE.test(text.slice(m.index + m[0].length, m.index + m[0].length + 12)))
      continue;
    const near =
      profile ||
      ZIP_CONTEXT_RE.test(before) ||
      /^\W*[A-Z]{2}\b/.test(text.slice(m.index - 5, m.index));
    const area = fromZip(m[1], near ? 0.9 : 0.6);
    if (area) return area;
  }
  return null;
}

/**
 * A state or a country as it may follow a place. `trust` says where a state stands without a
 * known place before it: 2 alone after "in" ("in Minnesota", "in NY"), 1 only after a place-like
 * word ("Marlboro MA", "Springfield, OH"), 0 never ("Va", "Mass": only after a town of that state).
 */
type Qualifier = { state: string; trust: 0 | 1 | 2 } | { country: string };

function qualifierOf(word: string): Qualifier | undefined {
  if (word.length === 2) {
    const code = word.toUpperCase();
    if (US_STATES.has(code)) {
      if (word === code) return { state: code, trust: WORDLIKE_STATE_CODES.has(code) ? 1 : 2 };
      return MIXED_CASE_WORDS.has(code) ? undefined : { state: code, trust: 0 };
    }
    if (word !== code) return undefined;
  }
  return longQualifiers().get(word);
}

let qualifiers: Map<string, Qualifier> | undefined;

/**
 * State names, their short forms and countries in one map, each as written in title case, capitals
 * and lower case ("Florida", "FLORIDA", "florida"): one look-up per capitalised word, no case
 * folding on the hot path (this runs for most messages).
 */
function longQualifiers(): Map<string, Qualifier> {
  if (qualifiers) return qualifiers;
  const map = new Map<string, Qualifier>();
  const add = (name: string, q: Qualifier) => {
    for (const form of caseForms(name)) map.set(form, q);
  };
  for (const [name, country] of COUNTRIES) add(name, { country });
  for (const [name, state] of STATE_SHORT) add(name, { state, trust: 0 });
  for (const [name, state] of gaz().stateNames) add(name, { state, trust: 2 });
  qualifiers = map;
  return map;
}

function caseForms(lower: string): string[] {
  const title = lower.replace(
    /(^|[ .])([a-z])/g,
    (_, sep: string, c: string) => sep + c.toUpperCase(),
  );
  return [lower, title, title.replace(/ Of /g, ' of '), lower.toUpperCase()];
}

interface Word {
  text: string;
  start: number;
  end: number;
}

/**
 * Reads capitalised words left to right; at a state or country it looks at the up to three
 * capitalised words just before it for a place of that state or country ("Virginia Beach, Va").
 * Without one it answers the state or country alone when the text puts the customer there
 * ("in Minnesota", "Marlboro MA" after "in", "from the UK"), or, in a profile, always; a place
 * with its state later in the text wins over a state alone.
 */
function qualifiedPlace(text: string, profile: boolean): Area | null {
  const words: Word[] = [];
  let fallback: Area | null = null;
  for (let at = 0; at < text.length; at++) {
    if (!isCapital(text.charCodeAt(at)) || (at > 0 && inWord(text.charCodeAt(at - 1)))) continue;
    let end = at + 1;
    while (end < text.length && wordChar(text.charCodeAt(end))) end++;
    let last = end;
    while (text.charCodeAt(last - 1) === 46) last--; // "St." is "St", "U.K." is "U.K"
    const raw = text.slice(at, last);
    words.push({ text: raw, start: at, end });
    at = end - 1;
    const i = words.length - 1;
    // Two-word names ("New Hampshire", "Sri Lanka", "District of Columbia") are seen when
    // their last word arrives.
    let pair: Qualifier | undefined;
    if (i > 0 && PAIR_STARTS.has(words[i - 1].text)) {
      const gap = text.slice(words[i - 1].end, words[i].start);
      if (gap === ' ' || gap === ' of ') pair = qualifierOf(`${words[i - 1].text}${gap}${raw}`);
    }
    const q = pair ?? (raw.length > 1 ? qualifierOf(raw) : undefined);
    if (!q) continue;
    const first = pair ? i - 1 : i;
    const area = placeBefore(text, words, first, q);
    if (area) return area;
    // A state or country alone waits: a place with its state may follow ("Washington, DC").
    fallback ??= alone(text, words, first, q, profile);
  }
  return fallback;
}

/** First words of the two-word states and countries: only these are tried as a pair. */
const PAIR_STARTS = new Set(
  'New North South West Rhode District United Great Northern Saudi Hong Sri'
    .split(' ')
    .flatMap((w) => [w, w.toUpperCase()]),
);

/** A character that may continue a capitalised word: letters, apostrophes, '.', '-'. */
function wordChar(c: number): boolean {
  return (
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    c === 39 ||
    c === 0x2019 ||
    c === 46 ||
    c === 45
  );
}

/** Before a capital: inside a word, a number, a handle or a path, so not the start of a name. */
function inWord(c: number): boolean {
  return (
    (c >= 65 && c <= 90) ||
    (c >= 97 && c <= 122) ||
    (c >= 48 && c <= 57) ||
    c === 39 ||
    c === 0x2019 ||
    c === 64 ||
    c === 95 ||
    c === 47
  );
}

function placeBefore(text: string, words: Word[], q: number, qual: Qualifier): Area | null {
  if (q === 0 || !QUALIFIER_GAP_RE.test(text.slice(words[q - 1].end, words[q].start))) return null;
  let from = q - 1;
  while (from > q - 3 && from > 0 && text.slice(words[from - 1].end, words[from].start) === ' ')
    from--;
  for (let s = from; s < q; s++) {
    const name = words
      .slice(s, q)
      .map((w) => w.text)
      .join(' ');
    if ('state' in qual) {
      const hit = findCity(name, qual.state);
      if (hit) return cityArea(hit, 0.8);
    } else {
      const world = WORLD_PLACES.get(cityKey(name));
      if (world && world[1] === qual.country)
        return {
          postalCode: null,
          city: world[0],
          region: null,
          country: world[1],
          confidence: 0.8,
        };
    }
  }
  // An unknown place before a country, after "in" or a comma: take its name as the city.
  const gap = text.slice(words[q - 1].end, words[q].start);
  // "New England", "New South Wales": the word before is part of the name, not a town.
  if (words[q - 1].text === 'New') return null;
  const put = PLACE_PREPOSITION_RE.test(
    text.slice(Math.max(0, words[from].start - 30), words[from].start),
  );
  if ('country' in qual && (put || gap.startsWith(',')) && qual.country !== 'US') {
    const city = words[q - 1].text;
    return { postalCode: null, city, region: null, country: qual.country, confidence: 0.6 };
  }
  if ('state' in qual && qual.trust > 0 && (put || gap.startsWith(',')))
    return { postalCode: null, city: null, region: qual.state, country: 'US', confidence: 0.5 };
  return null;
}

function alone(
  text: string,
  words: Word[],
  q: number,
  qual: Qualifier,
  profile: boolean,
): Area | null {
  if ('state' in qual && qual.trust < 2) return null;
  // "in Washington" is as often the capital as the state (a profile's "Washington" stays the state).
  if (!profile && 'state' in qual && AMBIGUOUS.has(words[q].text.toLowerCase())) return null;
  // "Virginia Beach", "Kansas City": a longer name goes on; its town is read later.
  const last = words[words.length - 1].start;
  if (/^[A-Za-z'’-]+ [A-Z]/.test(text.slice(last, last + 40))) return null;
  const before = text.slice(Math.max(0, words[q].start - 30), words[q].start);
  if (!profile && !PLACE_PREPOSITION_RE.test(before)) return null;
  // A profile's "SD" or "PA" alone is as often a nickname ("SD" for San Diego) as a state.
  if (profile && words[q].text.length === 2) return null;
  if ('country' in qual)
    return { postalCode: null, city: null, region: null, country: qual.country, confidence: 0.5 };
  // "New York" names a state and, more often, a large city ("Washington" is left to the state:
  // it is in AMBIGUOUS, as in a profile it was before).
  const name = words
    .slice(q)
    .map((w) => w.text)
    .join(' ');
  const alias = aliasOf(name);
  if (alias) return cityArea(findCity(alias[0], alias[1]), 0.5);
  const city = name.length > 2 && !AMBIGUOUS.has(cityKey(name)) ? findCity(name) : undefined;
  if (city && city.zips >= 15) return cityArea(city, 0.5);
  return { postalCode: null, city: null, region: qual.state, country: 'US', confidence: 0.5 };
}

/** A state's full name alone ("#Missouri"). */
function stateAlone(name: string): Area | null {
  const state = gaz().stateNames.get(name.toLowerCase());
  return state
    ? { postalCode: null, city: null, region: state, country: 'US', confidence: 0.4 }
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

function profileCity(text: string): Area | null {
  const first = text.split(/[,|/(•-]/)[0].trim();
  const alias = aliasOf(text.trim()) ?? aliasOf(first);
  if (alias) return cityArea(findCity(alias[0], alias[1]), 0.6);
  if (!AMBIGUOUS.has(cityKey(first))) {
    const hit = findCity(first);
    if (hit && hit.zips >= 3) return cityArea(hit, hit.zips >= 20 ? 0.6 : 0.4);
  }
  return null;
}

/**
 * Which patterns can match at all, from one pass over the characters: each flag is a sequence
 * that every match of its patterns contains, so a false flag skips scans that would find nothing.
 * Most messages have no 5-digit run.
 */
interface Shape {
  /** ZIP_RE: 5 digits in a row. */
  zip: boolean;
  /** UK_RE: a digit. */
  uk: boolean;
  /** Every named place: a capital at the start or after a space, comma or '#'. */
  capital: boolean;
  /** HASHTAG_RE: '#' and a capital. */
  hashtag: boolean;
}

function shapeOf(text: string): Shape {
  const shape: Shape = {
    zip: false,
    uk: false,
    capital: isCapital(text.charCodeAt(0)),
    hashtag: false,
  };
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      shape.uk = true;
      if (++digits >= 5) shape.zip = true;
      continue;
    }
    digits = 0;
    if ((c === 32 || c === 44 || c === 35) && isCapital(text.charCodeAt(i + 1))) {
      shape.capital = true;
      if (c === 35) shape.hashtag = true;
    }
  }
  return shape;
}

function isCapital(c: number): boolean {
  return c >= 65 && c <= 90;
}

/** A nickname's city; a short one only as capitals ("LA", not the "La" of "La Jolla"). */
function aliasOf(name: string): [string, string] | undefined {
  if (name.length <= 3 && name !== name.toUpperCase()) return undefined;
  return US_ALIASES.get(name.toLowerCase());
}

function cityArea(hit: CityEntry | undefined, confidence: number): Area | null {
  if (!hit) return null;
  return { postalCode: null, city: hit.city, region: hit.state, country: 'US', confidence };
}

/**
 * The message text wins (it says where the trouble is); the profile location is the fallback,
 * with lower confidence because people travel and profiles go stale.
 */
export function extractArea(text: string, authorLocation?: string): Area | null {
  const inText = areaInText(text, false);
  if (inText) return inText;
  if (!authorLocation) return null;
  const inProfile = areaInText(authorLocation, true);
  if (!inProfile) return null;
  return { ...inProfile, confidence: Math.round(inProfile.confidence * 0.8 * 100) / 100 };
}
