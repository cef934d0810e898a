/**
 * Places named with their state or country ("Marlboro MA", "Norfolk,Va", "Lagos, Nigeria"), and a
 * state or country alone where the text puts the customer there ("here in Canada"). Read in one
 * left-to-right pass over capitalised words, because this runs for most messages; the qualifier
 * tells which state's or country's places to look for, so small towns are safe to accept here.
 */

import { aliasOf, aloneCityArea, cityArea } from './area-city.js';
import { cityKey, findCity, gaz } from './area-gazetteer.js';
import {
  AMBIGUOUS,
  COUNTRIES,
  countryOfRegion,
  MIXED_CASE_WORDS,
  STATE_SHORT,
  US_STATES,
  WORDLIKE_STATE_CODES,
  WORLD_PLACES,
} from './area-places.js';
import type { Area } from './types.js';

/** What may stand between a place and its state or country: "Malden, MA", "Norfolk,Va", "#Lynn #Massachusetts". */
const QUALIFIER_GAP_RE = /^(?:, ?| )#?$/;
/**
 * Text before a place that says the customer or trouble is there ("here in northern NJ"), and
 * before a state, "the whole state of" ("no internet whole state of California").
 */
const PLACE_PREPOSITION_RE =
  /\b(?:(?:in|at|near|around|across|outside|from|throughout|within|all over)(?: the)?(?: (?:north|south|east|west|central|northern|southern|eastern|western|upstate|downstate|rural))?|(?:whole |entire )?state of) #?$/i;

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
export function qualifiedPlace(text: string, profile: boolean, cased = true): Area | null {
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
    fallback ??= alone(text, words, first, q, profile, cased);
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
  // "New England", "New South Wales": the word before is part of the name, not a town. "in LA LA
  // land": a doubled word is no town with its state.
  if (words[q - 1].text === 'New' || words[q - 1].text === words[q].text) return null;
  const put = PLACE_PREPOSITION_RE.test(
    text.slice(Math.max(0, words[from].start - 30), words[from].start),
  );
  if ('country' in qual && (put || gap.startsWith(',')) && qual.country !== 'US') {
    const city = words[q - 1].text;
    return { postalCode: null, city, region: null, country: qual.country, confidence: 0.6 };
  }
  if ('state' in qual && qual.trust > 0 && (put || gap.startsWith(',')))
    return regionArea(qual.state);
  return null;
}

function alone(
  text: string,
  words: Word[],
  q: number,
  qual: Qualifier,
  profile: boolean,
  cased: boolean,
): Area | null {
  if ('state' in qual && qual.trust < 2) return null;
  // "in Washington" is as often the capital as the state (a profile's "Washington" stays the state).
  if (!profile && 'state' in qual && AMBIGUOUS.has(words[q].text.toLowerCase())) return null;
  // "Virginia Beach", "Kansas City": a longer name goes on; its town is read later. In a text
  // whose capitals were added (area-lowercase.ts) every word after the state has one ("in Texas
  // Whats Going on"), so there only a known place of that longer name goes on.
  const last = words[words.length - 1].start;
  const longer = /^[A-Za-z'’-]+ ([A-Z][A-Za-z'’-]*)/.exec(text.slice(last, last + 40));
  if (longer && (cased || findCity(`${words[words.length - 1].text} ${longer[1]}`))) return null;
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
  if (city && city.zips >= 15) return aloneCityArea(city, 0.5);
  return regionArea(qual.state);
}

/** A US state or Canadian province named with nothing finer. */
function regionArea(code: string): Area {
  return {
    postalCode: null,
    city: null,
    region: code,
    country: countryOfRegion(code),
    confidence: 0.5,
  };
}

/** An ASCII capital: where a name may start (area.ts's one-pass shape check uses it too). */
export function isCapital(c: number): boolean {
  return c >= 65 && c <= 90;
}
