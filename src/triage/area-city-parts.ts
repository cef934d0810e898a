import { cityKey, findCity, gaz } from './area-gazetteer.js';

/*
 * The parts of a city that the ZIP gazetteer (npm `zipcodes`, USPS post-office names) names as
 * cities of their own. A problem owner rule or a routing rule for "New York, NY" took no problem
 * or complaint in Brooklyn, the Bronx, Staten Island, or Queens, whose ZIP codes are named by
 * neighbourhood (Flushing, Jamaica, Astoria, Long Island City and some 40 more).
 *
 * Why a table of city parts by ZIP code and not the gazetteer's coordinates (a place whose ZIP
 * codes lie within the city's extent): being part of a city is an administrative fact, not a
 * geometric one, and the coordinates say it wrongly both ways. The extent of the ZIP codes named
 * "New York" is Manhattan's: it holds 2 of Brooklyn's 51 ZIP codes and none of the Bronx's,
 * Staten Island's, Flushing's or Jamaica's (one of them, 10200, even has its longitude's sign
 * flipped). Widened until it does (a radius from Midtown), it takes Yonkers and Nassau County's
 * Great Neck and Valley Stream, which are not the city and whose ZIP codes share Queens' 110xx.
 * Elsewhere it is no better: the extent of "Los Angeles" holds Beverly Hills, Culver City and West
 * Hollywood (cities of their own) and none of Van Nuys or North Hollywood (parts of Los Angeles,
 * named by the post office). The right data is a ZIP code → municipality relation (the Census
 * ZCTA-to-place file), which the gazetteer does not carry; until the desk ships one, a city whose
 * parts the post office names apart is listed here with the ZIP codes of its parts, and a place
 * is in it when its ZIP code is, or, given by name only, when every ZIP code of that name is (so
 * Floral Park, whose 11005 is Queens but 11001 Nassau County, is not taken by name). New York is
 * listed (its five boroughs are counties whose ZIP ranges are fixed and known), and Queens, the
 * one borough the ZIP data names no place for.
 */

interface CityParts {
  city: string;
  region: string;
  /** Inclusive ranges of the ZIP codes of the city's parts (USPS). */
  zips: readonly (readonly [number, number])[];
}

const CITY_PARTS: readonly CityParts[] = [
  {
    city: 'New York',
    region: 'NY',
    zips: [
      [10001, 10299], // Manhattan ("New York", and firms' own codes)
      [10301, 10314], // Staten Island (Richmond County)
      [10451, 10499], // the Bronx
      [11004, 11005], // Queens: Glen Oaks, Floral Park's Queens side (11001-11003 are Nassau's)
      [11101, 11120], // Queens: Long Island City, Astoria, Sunnyside
      [11201, 11256], // Brooklyn (Kings County)
      [11351, 11499], // Queens: Flushing to Jamaica and Queens Village
      [11690, 11697], // Queens: the Rockaways
    ],
  },
  {
    // A borough with no name of its own in the ZIP data (its ZIP codes are named by
    // neighbourhood): a place people name ("Queens, NY") that only its ZIP codes can hold.
    city: 'Queens',
    region: 'NY',
    zips: [
      [11004, 11005],
      [11101, 11120],
      [11351, 11499],
      [11690, 11697],
    ],
  },
];

/**
 * New York's boroughs as people write them, by the name the ZIP data gives the borough's place:
 * Manhattan's ZIP codes are named "New York" (the ZIP data's one "Manhattan, NY" is 10048, the
 * old World Trade Center's post office), the Bronx's "Bronx"; Queens has none (above), so it is
 * kept as "Queens", a listed city. Brooklyn and Staten Island are named as people write them.
 */
const BOROUGHS = new Map([
  ['manhattan', 'New York'],
  ['the bronx', 'Bronx'],
  ['queens', 'Queens'],
]);

/**
 * The place a borough's name stands for (`BOROUGHS`), in New York state, or null when `city` is
 * no borough's name or `region` is another state. How a place typed by a person (a problem's
 * area, an owner rule's, the list's `?area=`, a routing rule's city) reads "Queens, NY".
 */
export function boroughPlace(
  city: string,
  region?: string | null,
): { city: string; region: 'NY' } | null {
  if (region && !same(region, 'NY')) return null;
  const named = BOROUGHS.get(cityKey(city.trim()));
  return named ? { city: named, region: 'NY' } : null;
}

/** Whether `city` (of `region` when given) is a city listed here, known by its ZIP codes. */
export function listedCity(city: string, region?: string | null): boolean {
  return !!listed(city, region ?? null);
}

function listed(city: string, region: string | null): CityParts | undefined {
  const key = cityKey(city);
  return CITY_PARTS.find((c) => cityKey(c.city) === key && (!region || same(region, c.region)));
}

/** An area's fields as triage and problems hold them (null or absent: not known). */
export interface Place {
  postalCode?: string | null;
  city?: string | null;
  region?: string | null;
  country?: string | null;
}

/**
 * Whether `a` lies in the city named `city` (of `region` when given; the region is checked
 * apart by the caller): it names that city ("St." as "Saint"), or it is a part of it the ZIP
 * gazetteer names apart (above). How a case routing rule's `area.city` takes a complaint
 * (src/routing/rules.ts, and through it a problem's owner), and a problem owner rule's or the
 * problem list's place a problem (src/problems/place-within.ts).
 */
export function inCity(a: Place, city: string, region?: string | null): boolean {
  const name = boroughPlace(city, region)?.city ?? city;
  if (a.city && cityKey(a.city) === cityKey(name)) return true;
  return partOfCity(a, name, region ?? null);
}

function same(x: string | null | undefined, y: string | null | undefined): boolean {
  return (
    (x ?? '').toUpperCase().replace(/\s+/g, '') === (y ?? '').toUpperCase().replace(/\s+/g, '')
  );
}

/**
 * Whether `inner` is a part of the city, if it is a listed one: by its ZIP code, else by name,
 * or as a listed city all of whose ZIP codes are the city's (Queens in New York).
 */
function partOfCity(inner: Place, city: string, region: string | null): boolean {
  if (!same(inner.country ?? 'US', 'US')) return false;
  const parts = listed(city, region);
  if (!parts || (inner.region && !same(inner.region, parts.region))) return false;
  if (inner.postalCode) return inRanges(parts, inner.postalCode);
  if (!inner.city) return false;
  if (partNames(parts).has(cityKey(inner.city))) return true;
  const sub = listed(inner.city, parts.region);
  return !!sub && sub !== parts && sub.zips.every(([lo, hi]) => within(parts, lo, hi));
}

function within(parts: CityParts, lo: number, hi: number): boolean {
  return parts.zips.some(([a, b]) => lo >= a && hi <= b);
}

function inRanges(parts: CityParts, zip: string): boolean {
  const m = /^(\d{5})(-\d{4})?$/.exec(zip.trim());
  if (!m) return false;
  const n = Number(m[1]);
  return parts.zips.some(([lo, hi]) => n >= lo && n <= hi);
}

const names = new Map<CityParts, Set<string>>();

/**
 * The gazetteer's names (keys) of the city's parts: each name of a ZIP code in its ranges, when
 * every ZIP code of that name in the state is in them. Read once, on first use.
 */
function partNames(parts: CityParts): Set<string> {
  const known = names.get(parts);
  if (known) return known;
  const inside = new Map<string, number>();
  for (const [lo, hi] of parts.zips)
    for (let n = lo; n <= hi; n++) {
      const z = gaz().zip(String(n).padStart(5, '0'));
      if (z && z.state === parts.region) {
        const k = cityKey(z.city);
        inside.set(k, (inside.get(k) ?? 0) + 1);
      }
    }
  const set = new Set<string>();
  for (const [k, count] of inside) if (findCity(k, parts.region)?.zips === count) set.add(k);
  names.set(parts, set);
  return set;
}
