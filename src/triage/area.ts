/**
 * Where a message's trouble is: a US ZIP code, a UK postcode, or a US city (with its state) found
 * in the text, else in the author's profile location. ZIP and city data come from the npm package
 * `zipcodes` (BSD; US ZIP → city/state), UK postcode validation from `postcode` (MIT). The data is
 * loaded on first use, so importing triage stays cheap.
 */
import { createRequire } from 'node:module';
import { isValid as isUkPostcode, toArea, toNormalised } from 'postcode';
import type * as ZipCodes from 'zipcodes';
import type { Area } from './types.js';

const require = createRequire(import.meta.url);

interface CityEntry {
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

function gaz(): Gazetteer {
  if (gazetteer) return gazetteer;
  const z = require('zipcodes') as typeof ZipCodes;
  const byKey = new Map<string, CityEntry>();
  for (const c of Object.values(z.codes)) {
    if (c.country !== 'US' || c.city === 'APO' || c.city === 'FPO' || c.city === 'DPO') continue;
    const key = `${c.city.toLowerCase()}|${c.state}`;
    const e = byKey.get(key);
    if (e) e.zips++;
    else byKey.set(key, { city: c.city, state: c.state, zips: 1, zip: c.zip });
  }
  const cities = new Map<string, CityEntry[]>();
  for (const e of byKey.values()) {
    const k = e.city.toLowerCase();
    const list = cities.get(k);
    if (list) list.push(e);
    else cities.set(k, [e]);
  }
  for (const list of cities.values()) list.sort((a, b) => b.zips - a.zips);
  const stateNames = new Map<string, string>();
  for (const [abbr, name] of Object.entries(z.states.abbr))
    stateNames.set(name.toLowerCase(), abbr);
  gazetteer = {
    zip: (code) => {
      const hit = z.codes[code];
      return hit && hit.country === 'US' ? hit : undefined;
    },
    cities,
    stateNames,
  };
  return gazetteer;
}

const US_STATES = new Set(
  'AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR'.split(
    ' ',
  ),
);
// Nicknames people write instead of the city name. A Map: looked up on a plain object, a place
// called "Constructor" found Object.prototype's function and crashed the classify stage.
// Boroughs and neighbourhoods whose name is another, smaller town's in the ZIP data ("Manhattan"
// alone is Manhattan, Kansas there) and widely used nicknames of large US cities.
const ALIASES = new Map<string, [string, string]>([
  ['nyc', ['New York', 'NY']],
  ['new york city', ['New York', 'NY']],
  ['manhattan', ['New York', 'NY']],
  ['the bronx', ['Bronx', 'NY']],
  ['sf', ['San Francisco', 'CA']],
  ['bay area', ['San Francisco', 'CA']],
  ['la', ['Los Angeles', 'CA']],
  ['l.a.', ['Los Angeles', 'CA']],
  ['philly', ['Philadelphia', 'PA']],
  ['vegas', ['Las Vegas', 'NV']],
  ['washington dc', ['Washington', 'DC']],
  ['washington d.c.', ['Washington', 'DC']],
  ['dc', ['Washington', 'DC']],
  ['chitown', ['Chicago', 'IL']],
  ['chi-town', ['Chicago', 'IL']],
  ['chi town', ['Chicago', 'IL']],
  ['h-town', ['Houston', 'TX']],
  ['htx', ['Houston', 'TX']],
  ['atx', ['Austin', 'TX']],
  ['satx', ['San Antonio', 'TX']],
  ['dfw', ['Dallas', 'TX']],
  ['big d', ['Dallas', 'TX']],
  ['phx', ['Phoenix', 'AZ']],
  ['atl', ['Atlanta', 'GA']],
  ['nola', ['New Orleans', 'LA']],
  ['beantown', ['Boston', 'MA']],
  ['motor city', ['Detroit', 'MI']],
  ['music city', ['Nashville', 'TN']],
  ['mile high city', ['Denver', 'CO']],
  ['pdx', ['Portland', 'OR']],
  ['mpls', ['Minneapolis', 'MN']],
  ['twin cities', ['Minneapolis', 'MN']],
  ['slc', ['Salt Lake City', 'UT']],
  ['kc', ['Kansas City', 'MO']],
  ['c-bus', ['Columbus', 'OH']],
  ['clt', ['Charlotte', 'NC']],
]);
// City names that are also ordinary words or brands; only trusted next to a state.
const AMBIGUOUS = new Set(
  'home,mobile,orange,sprint,verizon,comcast,ok,hope,friendship,independence,commerce,energy,liberty,surprise,opportunity,paradise,victory,speed,early,why,normal,price,bill,cash,page,story,post,star,center,central,union,globe,eureka,enterprise,lynn,jackson,franklin,clinton,madison,lincoln,washington,marion,florence,aurora,warren,salem,troy,chester,alexandria,buffalo,mesa'.split(
    ',',
  ),
);

const ZIP_RE = /(?<![\d$#.,/-])(\d{5})(?:-\d{4})?(?![\d,.]\d|\d)/g;
const UK_RE = /\b([A-Za-z]{1,2}\d[A-Za-z\d]?) ?(\d[A-Za-z]{2})\b/g;
const CITY_STATE_RE = /\b([A-Z][A-Za-z.'-]+(?: [A-Z][A-Za-z.'-]+){0,2}),? ([A-Z]{2})\b/g;
const CITY_STATENAME_RE =
  /\b([A-Z][A-Za-z.'-]+(?: [A-Z][A-Za-z.'-]+){0,2}), ([A-Z][a-z]+(?: [A-Z][a-z]+)?)\b/g;
const IN_CITY_RE =
  /\b(?:in|near|around|at|across|outside|from|downtown) ([A-Z][A-Za-z.'-]+(?: [A-Z][A-Za-z.'-]+){0,2})/g;
const ZIP_CONTEXT_RE =
  /\b(?:(?:zip|zipcode|zip code|postal code)(?: is)?|area|in|near|around|code)\W*$/i;
const NOT_ZIP_CONTEXT_RE =
  /(?:order|account|acct|ticket|case|ref|reference|number|no|confirmation|tracking|pin|id)\W*$/i;

function cityKey(name: string): string {
  return name
    .toLowerCase()
    .replace(/^st\.? /, 'saint ')
    .replace(/^ft\.? /, 'fort ')
    .replace(/\.$/, '');
}

function findCity(name: string, state?: string): CityEntry | undefined {
  const list = gaz().cities.get(cityKey(name));
  if (!list) return undefined;
  return state ? list.find((e) => e.state === state) : list[0];
}

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
  // 3. "City, ST" and "City, State".
  if (can.cityState) {
    for (const m of text.matchAll(CITY_STATE_RE)) {
      if (!US_STATES.has(m[2])) continue;
      const hit = findCity(m[1], m[2]) ?? findCity(m[1].split(' ').slice(-1)[0], m[2]);
      if (hit) return cityArea(hit, 0.8);
      if (profile)
        return { postalCode: null, city: null, region: m[2], country: 'US', confidence: 0.5 };
    }
  }
  if (can.cityStateName) {
    for (const m of text.matchAll(CITY_STATENAME_RE)) {
      const st = gaz().stateNames.get(m[2].toLowerCase());
      if (!st) continue;
      const hit = findCity(m[1], st);
      if (hit) return cityArea(hit, 0.8);
    }
  }
  // 4. A bare city: the whole profile field, or "in Denver" in a sentence. Only sizeable,
  //    unambiguous places, because "in Mobile" is usually not Alabama.
  if (profile) {
    const area = profileCity(text);
    if (area) return area;
  }
  if (can.inCity) {
    for (const m of text.matchAll(IN_CITY_RE)) {
      const words = m[1].split(' ');
      // Try "San Francisco Bay" -> "San Francisco" -> "San".
      for (let n = words.length; n > 0; n--) {
        const name = words.slice(0, n).join(' ');
        const alias = aliasOf(name);
        if (alias) return cityArea(findCity(alias[0], alias[1]), 0.5);
        if (AMBIGUOUS.has(cityKey(name))) continue;
        const hit = findCity(name);
        if (hit && hit.zips >= 15) return cityArea(hit, 0.5);
      }
    }
  }
  return null;
}

function zipInText(text: string, profile: boolean): Area | null {
  for (const m of text.matchAll(ZIP_RE)) {
    const before = text.slice(Math.max(0, m.index - 24), m.index);
    if (NOT_ZIP_CONTEXT_RE.test(before)) continue;
    const near =
      profile ||
      ZIP_CONTEXT_RE.test(before) ||
      /^\W*[A-Z]{2}\b/.test(text.slice(m.index - 5, m.index));
    const area = fromZip(m[1], near ? 0.9 : 0.6);
    if (area) return area;
  }
  return null;
}

function profileCity(text: string): Area | null {
  const first = text.split(/[,|/(•-]/)[0].trim();
  const alias = aliasOf(text.trim()) ?? aliasOf(first);
  if (alias) return cityArea(findCity(alias[0], alias[1]), 0.6);
  if (!AMBIGUOUS.has(cityKey(first))) {
    const hit = findCity(first);
    if (hit && hit.zips >= 3) return cityArea(hit, hit.zips >= 20 ? 0.6 : 0.4);
  }
  const st = gaz().stateNames.get(text.trim().toLowerCase());
  if (st) return { postalCode: null, city: null, region: st, country: 'US', confidence: 0.5 };
  return null;
}

/**
 * Which patterns can match at all, from one pass over the characters: each flag is a sequence
 * that every match of its pattern contains, so a false flag skips a scan that would find nothing.
 * Most messages have no 5-digit run and no capitalised word after a space.
 */
interface Shape {
  /** ZIP_RE: 5 digits in a row. */
  zip: boolean;
  /** UK_RE: a digit. */
  uk: boolean;
  /** CITY_STATE_RE: a space and two capitals (" CO"). */
  cityState: boolean;
  /** CITY_STATENAME_RE: a comma, a space and a capital (", Colorado"). */
  cityStateName: boolean;
  /** IN_CITY_RE: a space and a capital ("in Denver"). */
  inCity: boolean;
}

function shapeOf(text: string): Shape {
  const shape: Shape = {
    zip: false,
    uk: false,
    cityState: false,
    cityStateName: false,
    inCity: false,
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
    if (c === 32 && isCapital(text.charCodeAt(i + 1))) {
      shape.inCity = true;
      if (isCapital(text.charCodeAt(i + 2))) shape.cityState = true;
      if (text.charCodeAt(i - 1) === 44) shape.cityStateName = true;
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
  return ALIASES.get(name.toLowerCase());
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
