/**
 * Where simulated customers live: real US ZIP codes with their city and state, taken from the
 * `zipcodes` package (BSD) for a curated list of metros. The metro list, weights, area codes and
 * UTC offsets are ours; offsets are standard time (no DST) because only the daily rhythm uses them.
 */
import zipcodes from 'zipcodes';
import type { SimArea } from './sim.types.js';

export interface Metro {
  /** City as the ZIP database spells it. */
  city: string;
  state: string;
  stateName: string;
  /** How people write it in a profile location besides the plain name. */
  nicknames: string[];
  /** Relative share of customers. */
  weight: number;
  /** Real area codes of the metro; numbers use the 555 exchange, which is not assigned to people. */
  areaCodes: string[];
  /** Hours from UTC, standard time. */
  utcOffset: number;
  /** Real ZIP codes of the city, resolved lazily from the package. */
  zips: string[];
}

type MetroDef = Omit<Metro, 'zips'>;

const METRO_DEFS: MetroDef[] = [
  m('New York', 'NY', 'New York', ['NYC', 'Manhattan'], 9, ['212', '646', '917'], -5),
  m('Brooklyn', 'NY', 'New York', ['BK', 'Brooklyn NY'], 5, ['718', '347'], -5),
  m('Los Angeles', 'CA', 'California', ['LA', 'L.A.'], 8, ['213', '323', '310'], -8),
  m('Chicago', 'IL', 'Illinois', ['Chi-town', 'CHI'], 6, ['312', '773'], -6),
  m('Houston', 'TX', 'Texas', ['H-Town', 'HTX'], 6, ['713', '281', '832'], -6),
  m('Phoenix', 'AZ', 'Arizona', ['PHX'], 4, ['602', '480'], -7),
  m('Philadelphia', 'PA', 'Pennsylvania', ['Philly'], 4, ['215', '267'], -5),
  m('San Antonio', 'TX', 'Texas', ['SATX'], 3, ['210'], -6),
  m('San Diego', 'CA', 'California', ['SD'], 3, ['619', '858'], -8),
  m('Dallas', 'TX', 'Texas', ['Big D', 'DFW'], 4, ['214', '469', '972'], -6),
  m('Austin', 'TX', 'Texas', ['ATX'], 3, ['512', '737'], -6),
  m('San Jose', 'CA', 'California', ['South Bay'], 2, ['408'], -8),
  m('San Francisco', 'CA', 'California', ['SF', 'the Bay', 'Bay Area'], 4, ['415', '628'], -8),
  m('Oakland', 'CA', 'California', ['the Town', 'East Bay'], 2, ['510'], -8),
  m('Seattle', 'WA', 'Washington', ['SEA', 'PNW'], 3, ['206'], -8),
  m('Denver', 'CO', 'Colorado', ['Mile High'], 3, ['303', '720'], -7),
  m('Washington', 'DC', 'District of Columbia', ['DC', 'Washington DC'], 3, ['202'], -5),
  m('Boston', 'MA', 'Massachusetts', ['BOS', 'Beantown'], 3, ['617', '857'], -5),
  m('Nashville', 'TN', 'Tennessee', ['Music City'], 2, ['615'], -6),
  m('Atlanta', 'GA', 'Georgia', ['ATL', 'the A'], 4, ['404', '470', '678'], -5),
  m('Miami', 'FL', 'Florida', ['MIA', 'the 305'], 3, ['305', '786'], -5),
  m('Orlando', 'FL', 'Florida', ['O-Town'], 2, ['407'], -5),
  m('Minneapolis', 'MN', 'Minnesota', ['MPLS', 'Twin Cities'], 2, ['612'], -6),
  m('Portland', 'OR', 'Oregon', ['PDX'], 2, ['503', '971'], -8),
  m('Las Vegas', 'NV', 'Nevada', ['Vegas'], 2, ['702'], -8),
  m('Detroit', 'MI', 'Michigan', ['the D', 'Motor City'], 2, ['313'], -5),
  m('Charlotte', 'NC', 'North Carolina', ['CLT', 'Queen City'], 2, ['704', '980'], -5),
  m('Columbus', 'OH', 'Ohio', ['C-bus'], 2, ['614'], -5),
  m('Kansas City', 'MO', 'Missouri', ['KC'], 2, ['816'], -6),
  m('Salt Lake City', 'UT', 'Utah', ['SLC'], 1, ['801'], -7),
];

function m(
  city: string,
  state: string,
  stateName: string,
  nicknames: string[],
  weight: number,
  areaCodes: string[],
  utcOffset: number,
): MetroDef {
  return { city, state, stateName, nicknames, weight, areaCodes, utcOffset };
}

let metros: Metro[] | null = null;

/** The metros with their ZIP codes (at most 40 per city, in ascending order, for a stable list). */
export function getMetros(): Metro[] {
  if (metros === null) {
    metros = METRO_DEFS.map((def) => {
      const zips = zipcodes
        .lookupByName(def.city, def.state)
        .map((z) => z.zip)
        .sort()
        .slice(0, 40);
      if (zips.length === 0) throw new Error(`no ZIP codes for ${def.city}, ${def.state}`);
      return { ...def, zips };
    });
  }
  return metros;
}

export function findMetro(city: string, state: string): Metro {
  const found = getMetros().find((x) => x.city === city && x.state === state);
  if (!found) throw new Error(`unknown metro ${city}, ${state}`);
  return found;
}

/** The metro a ZIP belongs to, if it is one of ours. */
export function metroOfZip(zip: string): Metro {
  const found = getMetros().find((x) => x.zips.includes(zip));
  if (found) return found;
  const z = zipcodes.lookup(zip);
  if (z) return findMetro(z.city, z.state);
  throw new Error(`unknown ZIP ${zip}`);
}

export function zipArea(metro: Metro, zip: string): SimArea {
  return { postalCode: zip, city: metro.city, region: metro.state, country: 'US' };
}

/** True when `home` lies inside `area` (null fields of `area` match anything). */
export function areaContains(area: SimArea, home: SimArea): boolean {
  return (
    area.country === home.country &&
    (area.region === null || area.region === home.region) &&
    (area.city === null || area.city === home.city) &&
    (area.postalCode === null || area.postalCode === home.postalCode)
  );
}
