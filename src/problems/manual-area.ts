import { gaz } from '../triage/area-gazetteer.js';
import { countryOfRegion, US_STATES } from '../triage/area-places.js';
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
 * its code, and a US ZIP code alone brings its city and state (as triage reads a ZIP), unless the
 * person named others.
 */
export function manualArea(input: Partial<ProblemArea> | null | undefined): ProblemArea | null {
  const a = readArea(input);
  if (!a) return null;
  const us = a.country === null || a.country.toUpperCase() === 'US';
  if (us && a.region) {
    const code = a.region.toUpperCase();
    a.region = US_STATES.has(code)
      ? code
      : (gaz().stateNames.get(a.region.toLowerCase()) ?? a.region);
  }
  if (us && a.postalCode && /^\d{5}$/.test(a.postalCode)) {
    const zip = gaz().zip(a.postalCode);
    if (zip && (a.region === null || a.region === zip.state)) {
      a.region = zip.state;
      a.city ??= zip.city;
    }
  }
  return readArea(a);
}
