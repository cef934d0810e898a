import { AppError } from '../platform/errors.js';
import { extractArea } from '../triage/area.js';
import { boroughPlace } from '../triage/area-city-parts.js';
import { findCity, gaz } from '../triage/area-gazetteer.js';
import { COUNTRIES, countryOfRegion, US_STATES, WORLD_PLACES } from '../triage/area-places.js';
import { KNOWN_COUNTRIES, manualArea, UK_POSTCODE } from './manual-area.js';
import type { ProblemArea } from './problem.store.js';

/*
 * A place people write as text: the problem list's `?area=` and an owner rule's `area`. Both
 * read it the same way, so a rule is written as the place one would filter the list by.
 */

/**
 * The place a text names, or null when none is known: in parts ("Austin, TX", "Berlin, DE",
 * `filterArea`), a state, province or country alone by its code or name ("TX", "Texas", "GB",
 * "Canada"), else as a profile location is read ("78701", "Austin", "Leeds"). A place in parts
 * that is two places is a 400 (as `POST /api/v1/problems` refuses it).
 */
export function readPlace(text: string): ProblemArea | null {
  return filterArea(text) ?? regionOrCountry(text) ?? borough(text) ?? placeOf(text);
}

/** A New York borough named alone ("Queens"), which a profile location does not read. */
function borough(text: string): ProblemArea | null {
  return boroughPlace(text) ? manualArea({ city: text }) : null;
}

/**
 * Two letters alone are a US state or Canadian province first ("CA" is California, "IN"
 * Indiana: a desk's places are mostly American), else a country ("GB", "US"); names likewise.
 */
function regionOrCountry(text: string): ProblemArea | null {
  const p = text.trim();
  const lower = p.toLowerCase().replace(/\.$/, '');
  const code = p.toUpperCase();
  if (US_STATES.has(code) || countryOfRegion(code) === 'CA') return manualArea({ region: code });
  const state = gaz().stateNames.get(lower);
  if (state) return manualArea({ region: state });
  if (KNOWN_COUNTRIES.has(code)) return manualArea({ country: code });
  const country = COUNTRIES.get(lower);
  return country ? manualArea({ country }) : null;
}

/** The text read as a place ("Texas", "Austin", "United States"), as a profile location is. */
function placeOf(text: string): ProblemArea | null {
  const a = extractArea('', text);
  return a
    ? { postalCode: a.postalCode, city: a.city, region: a.region, country: a.country }
    : null;
}

/**
 * The list's `?area=` text when it names a place in parts ("Austin, TX", "94110, San Francisco,
 * CA", "Toronto, ON", "London, UK"), read as the fields a person gives `POST /api/v1/problems`
 * and checked by the same parser (`manualArea`): a contradiction ("Austin, CA": no Austin in
 * California; "94110, TX": a San Francisco ZIP code) is the same 400 there and here, instead of
 * being resolved silently to one of the two places. A part is a ZIP code by its digits, a US
 * state or Canadian province by its code or name, a country by its code or name, else a city.
 * Two letters that are a state's code and a country's after a city none of that state's are the
 * country (`countryAfterCity`). One part alone is null: the filter matches it at any level.
 */
export function filterArea(text: string): ProblemArea | null {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length < 2) return null;
  const area: Partial<ProblemArea> = {};
  // Widest last: a state's name before a state ("New York, NY") is a city.
  for (const p of parts.reverse()) {
    const lower = p.toLowerCase().replace(/\.$/, '');
    const code = p.toUpperCase();
    let field: keyof ProblemArea =
      /^\d{5}(-\d{4})?$/.test(p) || UK_POSTCODE.test(p)
        ? 'postalCode'
        : US_STATES.has(code) || gaz().stateNames.has(lower) || countryOfRegion(code) === 'CA'
          ? 'region'
          : KNOWN_COUNTRIES.has(code) || COUNTRIES.has(lower)
            ? 'country'
            : 'city';
    if (field === 'region' && area.region != null) field = 'city';
    if (area[field] != null)
      throw new AppError(
        'bad_request',
        `area: "${text}" names two places (${p}, ${area[field]}); give one place, narrowest first`,
      );
    area[field] = p;
  }
  // A UK postcode ("SW1A 1AA, London") is in the UK, whatever else is named.
  if (area.postalCode && !/^\d/.test(area.postalCode)) area.country ??= 'GB';
  if (area.city && area.region && !area.country && countryAfterCity(area.city, area.region)) {
    area.country = area.region;
    area.region = null;
  }
  return manualArea(area);
}

/**
 * Whether "City, XX" names a country rather than a state or province: XX is a country's code
 * too (DE Germany and Delaware, CA Canada and California, IN, IL, CO, AR, ID; NL the
 * Netherlands and Newfoundland), the city is not one of that state's, and it is a large place we
 * know in that country ("Berlin, DE", "Toronto, CA") or, for a US state's code, no US city at
 * all ("Leipzig, DE"). A US city named in the wrong state ("Austin, CA") stays the state's, so
 * it is still the 400 a contradiction is.
 */
function countryAfterCity(city: string, region: string): boolean {
  if (!/^[A-Za-z]{2}$/.test(region)) return false;
  const code = region.toUpperCase();
  if (!KNOWN_COUNTRIES.has(code) || findCity(city, code)) return false;
  if (WORLD_PLACES.get(city.toLowerCase())?.[1] === code) return true;
  return US_STATES.has(code) && !findCity(city);
}

/**
 * A place written back as text that `readPlace` reads as the same place, narrowest first:
 * "78701, Austin, TX", "Austin, TX", "TX", "US", "London, GB", "Toronto, ON, Canada". A US
 * place with a state leaves the country out; a country whose code is also a state's or a
 * province's is written by name ("Berlin, Germany": "Berlin, DE" would read as Delaware's).
 */
export function placeText(a: ProblemArea): string {
  const country = a.country?.toUpperCase() ?? null;
  const us = country === null || country === 'US';
  const parts = [a.postalCode, a.city, a.region];
  if (!(us && (a.region || a.postalCode))) parts.push(country && countryWord(country));
  return parts.filter((p): p is string => !!p).join(', ');
}

/** A country's code, or its name when the code is also a US state's or Canadian province's. */
function countryWord(code: string): string {
  if (!US_STATES.has(code) && countryOfRegion(code) !== 'CA') return code;
  for (const [name, c] of COUNTRIES)
    if (c === code && /^[a-z ]+$/.test(name))
      return name.replace(/\b[a-z]/g, (ch) => ch.toUpperCase());
  return code;
}
