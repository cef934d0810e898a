/**
 * The US ZIP data of the npm package `zipcodes` (BSD) as the area extractor reads it: ZIP → place,
 * and city name → the places of that name, largest first. Loaded on first use, so importing triage
 * stays cheap.
 */
import { createRequire } from 'node:module';
import type * as ZipCodes from 'zipcodes';
import { NOT_ALONE } from './area-places.js';

const require = createRequire(import.meta.url);

export interface CityEntry {
  city: string;
  state: string;
  /** Number of ZIP codes: a rough proxy for the size of the place. */
  zips: number;
  zip: string;
}

interface Gazetteer {
  zip: (code: string) => ZipCodes.ZipCode | undefined;
  /** lower-case city name -> entries, largest first. */
  cities: Map<string, CityEntry[]>;
  stateNames: Map<string, string>;
}

let gazetteer: Gazetteer | undefined;

export function gaz(): Gazetteer {
  if (gazetteer) return gazetteer;
  const z = require('zipcodes') as typeof ZipCodes;
  const byKey = new Map<string, CityEntry>();
  /** 'city|state' -> the first three digits of its ZIP codes (the post office's sectional centre). */
  const centres = new Map<string, Set<string>>();
  for (const c of Object.values(z.codes)) {
    if (c.country !== 'US' || c.city === 'APO' || c.city === 'FPO' || c.city === 'DPO') continue;
    const key = `${c.city.toLowerCase()}|${c.state}`;
    const e = byKey.get(key);
    if (e) e.zips++;
    else byKey.set(key, { city: c.city, state: c.state, zips: 1, zip: c.zip });
    const centre = centres.get(key);
    if (centre) centre.add(c.zip.slice(0, 3));
    else centres.set(key, new Set([c.zip.slice(0, 3)]));
  }
  const folded = foldContractions(byKey, centres);
  const cities = new Map<string, CityEntry[]>();
  const add = (k: string, e: CityEntry) => {
    const list = cities.get(k);
    if (list) list.push(e);
    else cities.set(k, [e]);
  };
  for (const e of byKey.values()) add(e.city.toLowerCase(), e);
  // The contraction stays a name people write ("in Bham"), for the place it shortens.
  for (const [key, e] of folded) add(key.slice(0, key.indexOf('|')), e);
  for (const list of cities.values()) list.sort((a, b) => b.zips - a.zips);
  const stateNames = new Map<string, string>();
  for (const [abbr, name] of Object.entries(z.states.abbr))
    stateNames.set(name.toLowerCase(), abbr);
  gazetteer = {
    zip: (code) => {
      const hit = z.codes[code];
      if (hit?.country !== 'US') return undefined;
      const full = folded.get(`${hit.city.toLowerCase()}|${hit.state}`);
      return full ? { ...hit, city: full.city } : hit;
    },
    cities,
    stateNames,
  };
  return gazetteer;
}

/**
 * The USPS names some of a large city's ZIP codes by a contraction of its name: "Bham" (eight of
 * Birmingham's), "Nashvl", "Mphs". Read as places they were towns that do not exist, and a
 * complaint "in Bham" was counted apart from Birmingham's. A contraction here is a one-word name
 * whose letters are, in order, the letters of a much larger place of the same state (at least ten
 * ZIP codes and three times its own), starting with the same letter but not its start ("Newton"
 * is a town of its own beside "Newton Center"), and whose ZIP codes all lie in that place's
 * sectional centres. Its ZIP codes move to the larger place; returned: contraction key -> place.
 */
function foldContractions(
  byKey: Map<string, CityEntry>,
  centres: Map<string, Set<string>>,
): Map<string, CityEntry> {
  const large = new Map<string, [string, CityEntry][]>();
  for (const [key, e] of byKey)
    if (e.zips >= 10) large.set(e.state, [...(large.get(e.state) ?? []), [key, e]]);
  const folded = new Map<string, CityEntry>();
  for (const [key, small] of byKey) {
    const name = small.city.toLowerCase();
    if (name.includes(' ')) continue;
    for (const [bigKey, big] of large.get(small.state) ?? []) {
      const full = big.city.toLowerCase();
      if (big.zips < 3 * small.zips || full[0] !== name[0]) continue;
      if (full.startsWith(name) || !lettersInOrder(name, full)) continue;
      const own = centres.get(bigKey)!;
      if (![...centres.get(key)!].every((c) => own.has(c))) continue;
      folded.set(key, big);
      break;
    }
  }
  for (const [key, big] of folded) {
    big.zips += byKey.get(key)!.zips;
    byKey.delete(key);
  }
  return folded;
}

function lettersInOrder(short: string, long: string): boolean {
  let i = 0;
  for (let j = 0; j < long.length && i < short.length; j++) if (long[j] === short[i]) i++;
  return i === short.length;
}

/** The key of a city name: lower case, "St."/"Ft." spelt out, no trailing dot. */
export function cityKey(name: string): string {
  return name
    .toLowerCase()
    .replace(/^st\.? /, 'saint ')
    .replace(/^ft\.? /, 'fort ')
    .replace(/\.$/, '');
}

/** The place of that name, in that state if given, else the largest. */
export function findCity(name: string, state?: string): CityEntry | undefined {
  const list = gaz().cities.get(cityKey(name));
  if (!list) return undefined;
  return state ? list.find((e) => e.state === state) : list[0];
}

const COMPASS_RE = /^(?:north|south|east|west|upper|lower|central) (.+)$/;

/**
 * "South Boston", "East Texas", "South Bay", "South Park": a part of a city, state or region (or a
 * TV show) before a small town of that name (South Boston, Virginia; East Texas, Pennsylvania).
 */
function partOfLarger(key: string): boolean {
  const rest = COMPASS_RE.exec(key)?.[1];
  if (!rest) return false;
  if (/^(?:bay|side|end|shore|coast|metro|park)$/.test(rest) || gaz().stateNames.has(rest))
    return true;
  return (gaz().cities.get(rest)?.[0].zips ?? 0) >= 15;
}

/** The ZIP data gives some firms a ZIP of their own ("Census Bureau", "Allstate Insurance Co"). */
const BUSINESS_RE =
  /\b(?:bank|insurance|co|inc|corp|bureau|brm|services|systems|lottery|univ|university|afb|company|club|fund)\b/;

/**
 * The place a name means when it is named alone, if the ZIP data leaves little doubt: the only
 * place of that name, or one with five ZIP codes or more and three times the next's ("Santa Fe" is
 * New Mexico's; "Springfield" and "Burlington" are nobody's). A one-word name needs two ZIP codes
 * unless `anySize` (the text allows only a place: "downtown Marfa"): the one-ZIP towns whose name
 * is unique are often everyday words ("in English", "in Excel", "Joy").
 */
export function dominantCity(name: string, anySize: boolean): CityEntry | undefined {
  const key = cityKey(name);
  if (NOT_ALONE.has(key) || BUSINESS_RE.test(key)) return undefined;
  const list = gaz().cities.get(key);
  if (!list || partOfLarger(key)) return undefined;
  const [top, next] = list;
  // Of two places with a few ZIP codes between them the count says little ("Brookhaven": three
  // in Mississippi, none for the Atlanta suburb, which shares Atlanta's).
  if (next && (top.zips < 3 * next.zips || top.zips < 5)) return undefined;
  return anySize || top.zips >= 2 || name.includes(' ') ? top : undefined;
}
