/**
 * Postal codes in a message or profile: US ZIP codes, checked against the ZIP data of npm
 * `zipcodes` (area-gazetteer.ts), and full UK postcodes, validated by `postcode` (MIT). Kept apart
 * from the place-name readers because codes are found by digits and their context, not by names.
 */
import { isValid as isUkPostcode, toNormalised } from 'postcode';
import { findCity, gaz } from './area-gazetteer.js';
import type { Area } from './types.js';

// Not after a letter: "CM30055" and "Train12404" are model and train numbers.
const ZIP_RE = /(?<![\dA-Za-z$#.,/-])(\d{5})(?:-\d{4})?(?![\d,.]\d|\d)/g;
const UK_RE = /\b([A-Za-z]{1,2}\d[A-Za-z\d]?) ?(\d[A-Za-z]{2})\b/g;
const ZIP_CONTEXT_RE =
  /\b(?:(?:zip|zipcode|zip code|postal code)(?: is)?|area|in|near|around|code)\W*$/i;
const NOT_ZIP_CONTEXT_RE =
  /\b(?:order|account|acct|ticket|case|ref|reference|number|no|confirmation|tracking|pin|id|train|flight|coach|carriage|model|item|build|update|version|error|complaint)\W*$/i;
/**
 * "BOISE, ID 83702", "Pocatello ID 83201": Idaho's code before its ZIP, which NOT_ZIP_CONTEXT_RE
 * alone reads as "an id number". Nothing but a space between the code and the ZIP, and up to three
 * words before it that name a town of Idaho (the town, not the capitals, is the evidence: Twilio
 * sends "BOISE, ID", people write "boise id"); "order ID: 83702" and "account ID 83702" fail.
 */
const IDAHO_BEFORE_ZIP_RE = /((?:[A-Za-z.'-]+ ){0,2}[A-Za-z.'-]+),? id ?$/i;
// "90210 years", "76000 miles": a count, not a place.
const NOT_ZIP_AFTER_RE =
  /^\s*(?:years?|yrs?|miles?|mi|km|kms|points?|pts|dollars|bucks|people|times|followers|views|steps|calories|words|hours|hrs|minutes|mins|days)\b/i;

function fromZip(code: string, confidence: number): Area | null {
  const hit = gaz().zip(code);
  if (!hit) return null;
  return { postalCode: code, city: hit.city, region: hit.state, country: 'US', confidence };
}

/** Whether `before` ends in a town of Idaho and the state's code ("Boise ID "). */
function idahoBefore(before: string): boolean {
  const m = IDAHO_BEFORE_ZIP_RE.exec(before);
  if (!m) return false;
  const words = m[1].split(' ');
  for (let s = 0; s < words.length; s++) if (findCity(words.slice(s).join(' '), 'ID')) return true;
  return false;
}

/**
 * The first 5-digit run that is a known ZIP and not an order, ticket or model number, nor a count.
 * Confidence is higher when the text says it is a code or place ("zip 02148", "in 90210", "MA
 * 01752") and always in a profile, which is a location field.
 */
export function zipInText(text: string, profile: boolean): Area | null {
  for (const m of text.matchAll(ZIP_RE)) {
    const before = text.slice(Math.max(0, m.index - 24), m.index);
    if (NOT_ZIP_CONTEXT_RE.test(before) && !idahoBefore(before)) continue;
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
 * The first valid full UK postcode ("CV32 4HN"). City and region are null: `postcode` validates
 * and splits codes but has no post towns, and a postcode area's letters ("SW", "M") are not a
 * region (an area's region is a state or region, as for the US).
 */
export function ukPostcodeInText(text: string): Area | null {
  for (const m of text.matchAll(UK_RE)) {
    const code = `${m[1]} ${m[2]}`;
    if (!isUkPostcode(code)) continue;
    return {
      postalCode: toNormalised(code),
      city: null,
      region: null,
      country: 'GB',
      confidence: 0.85,
    };
  }
  return null;
}
