/**
 * Where a message's trouble is, found in the text, else in the author's profile location: a US
 * ZIP code, a UK postcode, a place with its state or country ("Marlboro MA", "Norfolk,Va",
 * "Lagos, Nigeria"), a state or country after "in" or "all over" ("here in Canada"), or a place
 * named alone after "in", before "airport"/"store"/"area", in brackets ("(Boston)"), heading the
 * message before a dash ("Detroit - caller ID is wrong") or as a hashtag: a nickname ("ABQ",
 * "Philly"), a sizeable place, or, where the writer's capital and a word like "in", "downtown" or
 * "the east side of" put a place, a smaller town the ZIP data gives one place to ("in Las
 * Cruces"; not "in Springfield"). US places come from the ZIP data of npm `zipcodes` (BSD,
 * area-gazetteer.ts), UK postcode validation from `postcode` (MIT), everything else from our lists
 * (area-places.ts). Outside the US only the country and, for large places, the city are given.
 *
 * This file is the entry and the order of the steps; the finders are area-postcode.ts (ZIP and UK
 * postcodes), area-qualified.ts (a place with its state or country, or one of those alone),
 * area-bare.ts (a place named alone, and the profile field read as a place) and area-city.ts
 * (what the last two share). What finds nothing in the whole text is looked for again in the
 * message's own words (framing.ts: no greeting, signature or transcript introduction) with the
 * words that put a place there spelled out ("all ovr", area-spelling.ts); a text written without
 * capitals is read again with them (area-lowercase.ts).
 */
import { barePlaceInText, profileCity, townOfState } from './area-bare.js';
import { namedAlone } from './area-city.js';
import { cityKey, findCity, gaz } from './area-gazetteer.js';
import { capitalised, caseless, shouted } from './area-lowercase.js';
import { ukPostcodeInText, zipInText } from './area-postcode.js';
import { isCapital, qualifiedPlace } from './area-qualified.js';
import { withPlaceWordsSpelled } from './area-spelling.js';
import { messageBody } from './framing.js';
import type { Area } from './types.js';

/**
 * Finds an area in one piece of text. `profile` text is a location field, not a sentence. `body`
 * is the text's `messageBody` where the caller has it already (triage's `analyse` does).
 */
export function areaInText(text: string, profile: boolean, body?: string): Area | null {
  if (!text) return null;
  const found = areaInCasedText(text, profile, true);
  if (found) return found;
  if (profile) return readWithCapitals(text, true);
  // The message's own words (framing.ts), with the words that put a place there spelled out
  // (area-spelling.ts): a place heading the message after its greeting or a transcript's
  // introduction ("[voicemail transcript] hi this is Ray, Sacramento - my app says …"), one
  // "all ovr Texas".
  const said = withPlaceWordsSpelled(body ?? messageBody(text));
  if (said !== text) {
    const inBody = areaInCasedText(said, false, true);
    if (inBody) return inBody;
  }
  return readWithCapitals(said, false);
}

/**
 * A text written without capitals, or in capitals only ("NO SERVICE IN DOWNTOWN SAN ANTONIO"):
 * either way the capitals say nothing, so it is read again with them where a name would have
 * them (area-lowercase.ts). Judged on the message's own words: the capitals of a mail's sign-off
 * ("Thanks,\nUma Adams") or of a transcript's "hi this is Gina calling" are the channel's or the
 * name's, not the writer's way with a place.
 */
function readWithCapitals(said: string, profile: boolean): Area | null {
  const plain = shouted(said) ? said.toLowerCase() : caseless(said) ? said : null;
  if (plain === null) return null;
  const again = capitalised(plain);
  return again === said ? null : areaInCasedText(again, profile, false);
}

/** `cased`: the capitals are the writer's, not added by capitalised(). */
function areaInCasedText(text: string, profile: boolean, cased: boolean): Area | null {
  const can = shapeOf(text);
  // 1. ZIP codes, checked against the ZIP data; a 5-digit order number is not a ZIP.
  if (can.zip) {
    const area = zipInText(text, profile);
    if (area) return area;
  }
  // 2. UK postcodes (full form only: an outward code alone is too easily a product code).
  if (can.uk) {
    const area = ukPostcodeInText(text);
    if (area) return area;
  }
  if (!can.capital) return null;
  // 3. A place with its state or country, or a state or country after "in".
  const qualified = qualifiedPlace(text, profile, cased);
  if (qualified) return qualified;
  // 4. A bare place: the whole profile field, or "in Denver" in a sentence. Only sizeable,
  //    unambiguous places, because "in Mobile" is usually not Alabama.
  if (profile) {
    const area = profileCity(text);
    if (area) return area;
  }
  return barePlaceInText(text, can.hashtag, cased);
}

/**
 * Which patterns can match at all, from one pass over the characters: each flag is a sequence
 * that every match of its patterns contains, so a false flag skips scans that would find nothing.
 * Most messages have no 5-digit run.
 */
interface Shape {
  /** ZIP_RE (area-postcode.ts): 5 digits in a row. */
  zip: boolean;
  /** UK_RE (area-postcode.ts): a digit. */
  uk: boolean;
  /** Every named place: a capital at the start or after a space, comma, '#' or '('. */
  capital: boolean;
  /** HASHTAG_RE (area-bare.ts): '#' and a capital. */
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
    if ((c === 32 || c === 44 || c === 35 || c === 40) && isCapital(text.charCodeAt(i + 1))) {
      shape.capital = true;
      if (c === 35) shape.hashtag = true;
    }
  }
  return shape;
}

/**
 * A profile location without its emoji ("📍 Brooklyn", "Austin 🤠"): the field is then read as
 * the place it names. A pin glued to the name hid the capital the finders look for.
 */
function withoutPictographs(location: string): string {
  return location
    .replace(/(?:\p{Extended_Pictographic}|\p{Emoji_Modifier}|\uFE0F|\u200D)+/gu, ' ')
    .trim();
}

/**
 * The message text wins (it says where the trouble is); the profile location is the fallback,
 * with lower confidence because people travel and profiles go stale. But a city the text names
 * without its state is the largest of that name only for want of better: where the profile (or
 * an SMS or billing location) gives a state, the text's city is taken in that state
 * (disambiguated). `body`: the text's `messageBody`, where the caller has computed it.
 */
export function extractArea(text: string, authorLocation?: string, body?: string): Area | null {
  const inText = areaInText(text, false, body);
  if (!authorLocation) return inText;
  // A place with its state or ZIP code in the text is not second-guessed.
  const open = !inText?.region || namedAlone(inText) || regionOnly(inText);
  if (!open) return inText;
  const inProfile = areaInText(withoutPictographs(authorLocation), true);
  if (inText) return disambiguated(inText, inProfile) ?? inText;
  // A name the text alone cannot place ("in Springfield") may be a town of the profile's state.
  const state = usState(inProfile);
  const there = state ? townInText(text, state) : null;
  if (there) return disambiguated(there, inProfile) ?? there;
  if (!inProfile) return null;
  return { ...inProfile, confidence: Math.round(inProfile.confidence * 0.8 * 100) / 100 };
}

/** The text's place made finer or put in the right state by the profile's, if it can be. */
function disambiguated(inText: Area, inProfile: Area | null): Area | null {
  if (!inProfile) return null;
  const confidence = inText.confidence;
  const sameCity =
    !!inText.city && !!inProfile.city && cityKey(inProfile.city) === cityKey(inText.city);
  // A place named alone in the text ("no service in Paris": a city, no state, no code) that the
  // profile names with its country ("Paris, TX"; "Birmingham, UK" for "#Bham"), state or ZIP
  // code ("PORTLAND, ME 04101") is the profile's: the writer's own town. A big city's one-ZIP
  // namesake only with its ZIP code (an address): "in Denver" from "Denver, PA" may be Colorado.
  if (sameCity && inProfile.country && inProfile.country !== inText.country)
    return { ...inProfile, confidence };
  if (sameCity && inProfile.region) {
    const size = findCity(inProfile.city!, inProfile.region)?.zips ?? 0;
    if (inProfile.postalCode || size >= 3) return { ...inProfile, confidence };
  }
  // "across Maine" from a profile that says "Portland" (or "Birmingham"): Portland, Maine.
  if (!inText.city) {
    const there =
      inText.country === 'US' && inText.region && inProfile.city
        ? townOfState(inProfile.city, inText.region)
        : null;
    return there && { ...there, confidence };
  }
  const state = usState(inProfile);
  if (!state) return null;
  // A large place abroad named alone ("in Birmingham": England's) is a large US city of that name
  // to a writer whose profile is in its state ("Alabama"); not a small one ("no service in Paris"
  // from Texas is as likely roaming in France), nor where the text gives a province.
  // A US writer's large place abroad named alone is its large US namesake wherever it is: to
  // a Texan writing to a US carrier, "no signal in Birmingham" is Alabama's.
  if (inText.country !== 'US') {
    const there = inText.region
      ? null
      : (townOfState(inText.city, state, 1, 15) ?? usNamesake(inText));
    return there && { ...there, confidence };
  }
  // "here in New York" names the state as well as the city: a profile in a town of that state
  // ("ROCHESTER, NY 14614") says which.
  if (gaz().stateNames.has(cityKey(inText.city)) && inProfile.city)
    return state === inText.region ? { ...inProfile, confidence } : null;
  // "in Portland" from a profile in Maine ("Maine", "Bangor, ME").
  if (state === inText.region) return null;
  const there = townOfState(inText.city, state);
  return there && { ...there, confidence };
}

/** ZIP codes of a US city that is large enough to be what a US writer means by its name. */
const LARGE_ZIPS = 15;

/**
 * The large US city (LARGE_ZIPS) of the name of a large place abroad named alone ("in
 * Birmingham": England's, but Alabama's has 71 ZIP codes), or null: a place named with its
 * country ("Birmingham, UK"), or whose US namesakes are small ("Paris": Texas's has 3, so a US
 * writer's Paris may be France's; "Manchester": New Hampshire's has 9). For a writer or a desk
 * known to be in the US (`extractArea` reads the profile; the problem detector the desk, and
 * says `alone` itself: an area read back from storage carries no mark).
 */
export function usNamesake(area: Area, alone = namedAlone(area)): Area | null {
  if (area.country === 'US' || !area.city || area.region || area.postalCode || !alone) return null;
  const hit = findCity(area.city);
  if (!hit || hit.zips < LARGE_ZIPS) return null;
  const there = townOfState(area.city, hit.state, 1, LARGE_ZIPS);
  return there && { ...there, confidence: area.confidence };
}

/** Only a state: no city, no code. */
function regionOnly(a: Area): boolean {
  return !a.city && !a.postalCode && !!a.region;
}

function usState(a: Area | null): string | null {
  return a?.country === 'US' && a.region ? a.region : null;
}

/** A town of `state` named alone in the text, read in capitals as areaInText would. */
function townInText(text: string, state: string): Area | null {
  const cased = caseless(text) ? capitalised(text) : text;
  return barePlaceInText(cased, cased.includes('#'), true, state);
}
