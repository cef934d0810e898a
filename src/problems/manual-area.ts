import { AppError } from '../platform/errors.js';
import { boroughPlace, inCity, listedCity } from '../triage/area-city-parts.js';
import { cityKey, findCity, gaz } from '../triage/area-gazetteer.js';
import { COUNTRIES, countryOfRegion, US_STATES } from '../triage/area-places.js';
import type { ProblemArea } from './problem.store.js';

/*
 * A problem's area as people type it (`POST /api/v1/problems`), read the way the detector's
 * areas are written: null where a level is not known (never ""), a US state by its code, and the
 * country a US state, Canadian province or US ZIP code implies, as triage gives it for every
 * placed complaint. A country-less area would otherwise not be found by `?area=United States`,
 * nor by a state's name (the filter reads "Texas" as region TX in country US).
 */

const blank = (v: string | null | undefined) => {
  const t = v?.trim();
  return t ? t : null;
};

/** The country of a known state or province code, else null (a region we cannot place). */
function countryOf(region: string): string | null {
  if (US_STATES.has(region)) return 'US';
  return countryOfRegion(region) === 'CA' ? 'CA' : null;
}

/**
 * The area as stored and shown: blanks are null, the country filled from a known state or
 * province code. Also read over stored areas, so one saved before blanks were refused (or
 * without its country) reads like the rest. All fields null: null.
 */
export function readArea(a: Partial<ProblemArea> | null | undefined): ProblemArea | null {
  if (!a) return null;
  const region = blank(a.region);
  const area: ProblemArea = {
    postalCode: blank(a.postalCode),
    city: blank(a.city),
    region,
    country: blank(a.country) ?? (region ? countryOf(region.toUpperCase()) : null),
  };
  return Object.values(area).some((v) => v !== null) ? area : null;
}

/**
 * An area a person gave: as `readArea`, and besides, a US state written out ("Texas") becomes
 * its code, a New York borough becomes its place ("Queens, NY", `boroughPlace`), and a US ZIP
 * code alone brings its city and state (as triage reads a ZIP), unless the person named others.
 */
export function manualArea(input: Partial<ProblemArea> | null | undefined): ProblemArea | null {
  const a = readArea(input);
  if (!a) return null;
  if (a.country) a.country = countryCode(a.country);
  const us = a.country === null || a.country === 'US';
  if (!us && a.region) checkRegionAbroad(a.region, a.country!);
  if (us && a.region) {
    const code = a.region.toUpperCase();
    a.region = US_STATES.has(code)
      ? code
      : (gaz().stateNames.get(a.region.toLowerCase()) ?? a.region);
  }
  // A borough as the ZIP data names its place ("Manhattan" is "New York", "The Bronx" "Bronx"),
  // or Queens, which it names no place for (a city known by its ZIP codes: area-city-parts.ts).
  const borough = us && a.city ? boroughPlace(a.city, a.region) : null;
  if (borough) Object.assign(a, borough);
  if (us && a.postalCode && /^\d{5}$/.test(a.postalCode)) {
    const zip = gaz().zip(a.postalCode);
    if (zip && (a.region === null || a.region === zip.state)) {
      a.region = zip.state;
      a.city ??= zip.city;
    }
  }
  const area = readArea(a);
  // A place with no country is read as triage reads it: in the US unless a province says Canada.
  if (area && (area.country === null || area.country === 'US')) checkUsArea(area);
  // Triage reads a British postcode by its shape: "94110" in GB would never meet a complaint.
  if (area?.country === 'GB' && area.postalCode && !UK_POSTCODE.test(area.postalCode))
    throw new AppError(
      'bad_request',
      `area.postalCode: "${area.postalCode}" is not a UK postcode (full form, e.g. "SW1A 1AA")`,
    );
  return area;
}

/**
 * A US state in another country ("Austin, TX" in Canada) is two places at once: stored, the
 * problem would be listed under both. A state's code is checked in Canada only (where provinces,
 * never states, are the regions); elsewhere a region's two letters may be the country's own
 * ("WA", Western Australia), so only a state's name is. (A province in the US is `checkUsArea`'s
 * unknown state.)
 */
function checkRegionAbroad(region: string, country: string) {
  // (The gazetteer's state names hold Canada's provinces too: "Ontario" is ON, in Canada.)
  const named = US_STATES.has(gaz().stateNames.get(region.toLowerCase()) ?? '');
  if (named || (country === 'CA' && US_STATES.has(region.toUpperCase())))
    throw new AppError(
      'bad_request',
      `area.region: ${region} is a US state, not in ${country} (give one place)`,
    );
}

/** A full UK postcode, as triage finds one in text (area-postcode.ts). */
export const UK_POSTCODE = /^[A-Za-z]{1,2}\d[A-Za-z\d]? ?\d[A-Za-z]{2}$/;

/** Countries triage places complaints in, by ISO code. */
export const KNOWN_COUNTRIES = new Set(['US', 'CA', ...COUNTRIES.values()]);

/** A country by its code or name ("United States" is US), or a 400: no complaint is placed there. */
function countryCode(v: string): string {
  const code = v.toUpperCase();
  if (KNOWN_COUNTRIES.has(code)) return code;
  const named = COUNTRIES.get(v.toLowerCase().replace(/\.$/, ''));
  if (named) return named;
  throw new AppError('bad_request', `area.country: unknown country "${v}"`);
}

/**
 * A US area must be one place the gazetteer knows (the one triage places complaints with, so a
 * problem somewhere it does not know would never meet its complaints): a state, a city of that
 * state, a ZIP code of that city. A contradiction ("94110" in Austin, TX) is refused rather
 * than stored as a place that is two places.
 */
function checkUsArea(a: ProblemArea) {
  const bad = (field: string, why: string) => {
    throw new AppError('bad_request', `area.${field}: ${why}`);
  };
  if (a.region && !US_STATES.has(a.region)) bad('region', `unknown US state "${a.region}"`);
  if (a.postalCode) {
    const zip = /^\d{5}(-\d{4})?$/.test(a.postalCode) ? gaz().zip(a.postalCode.slice(0, 5)) : null;
    if (!zip)
      bad(
        'postalCode',
        `"${a.postalCode}" is not a US ZIP code (give the country of a place outside the US)`,
      );
    else if (a.region !== zip.state)
      bad('region', `ZIP code ${a.postalCode} is in ${zip.state}, not ${a.region}`);
    else if (a.city && !sameCity(a.city, zip))
      bad('city', `ZIP code ${a.postalCode} is in ${zip.city}, ${zip.state}, not ${a.city}`);
  }
  if (a.city && !findCity(a.city, a.region ?? undefined) && !listedCity(a.city, a.region))
    bad(
      'city',
      `no US city "${a.city}"${a.region ? ` in ${a.region}` : ''} (for a place outside the US give its country by name: "Toronto, Canada")`,
    );
}

/**
 * Whether a city a person named is the ZIP code's: its post-office name, or a place of its state
 * within 40 km of it (a ZIP's post office may be a borough's name, Brooklyn for New York City).
 */
function sameCity(
  named: string,
  zip: { zip: string; city: string; state: string; latitude: number; longitude: number },
) {
  if (cityKey(named) === cityKey(zip.city)) return true;
  // A city known by its ZIP codes (Queens: 11432 is Jamaica's, in Queens).
  if (inCity({ postalCode: zip.zip, region: zip.state }, named, zip.state)) return true;
  const entry = findCity(named, zip.state);
  const at = entry && gaz().zip(entry.zip);
  return !!at && km(at, zip) <= 40;
}

/** Great-circle distance in km. */
function km(
  a: { latitude: number; longitude: number },
  b: { latitude: number; longitude: number },
) {
  const rad = Math.PI / 180;
  const h =
    Math.sin(((b.latitude - a.latitude) * rad) / 2) ** 2 +
    Math.cos(a.latitude * rad) *
      Math.cos(b.latitude * rad) *
      Math.sin(((b.longitude - a.longitude) * rad) / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}
