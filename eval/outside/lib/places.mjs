// US places the outside set uses: chosen by hand from public knowledge (real cities with real
// ZIP codes), weighted roughly by metro size so big cities carry more background complaints.

export const STATES = {
  WA: 'Washington',
  OR: 'Oregon',
  CA: 'California',
  NV: 'Nevada',
  AZ: 'Arizona',
  CO: 'Colorado',
  UT: 'Utah',
  ID: 'Idaho',
  NM: 'New Mexico',
  TX: 'Texas',
  OK: 'Oklahoma',
  MO: 'Missouri',
  NE: 'Nebraska',
  MN: 'Minnesota',
  IL: 'Illinois',
  WI: 'Wisconsin',
  MI: 'Michigan',
  OH: 'Ohio',
  IN: 'Indiana',
  TN: 'Tennessee',
  GA: 'Georgia',
  NC: 'North Carolina',
  FL: 'Florida',
  LA: 'Louisiana',
  PA: 'Pennsylvania',
  MD: 'Maryland',
  DC: 'District of Columbia',
  MA: 'Massachusetts',
  NY: 'New York',
  NJ: 'New Jersey',
};

// [city, state, weight, zips, nicknames people write instead of the name]
const RAW = [
  ['Seattle', 'WA', 5, ['98101', '98103', '98115'], []],
  ['Spokane', 'WA', 1, ['99201'], []],
  ['Portland', 'OR', 4, ['97205', '97211', '97214'], ['PDX']],
  ['San Francisco', 'CA', 5, ['94110', '94103', '94122'], ['SF']],
  ['Oakland', 'CA', 2, ['94607', '94610'], []],
  ['Los Angeles', 'CA', 9, ['90012', '90026', '90045'], ['LA']],
  ['San Diego', 'CA', 4, ['92101', '92103', '92117'], []],
  ['Sacramento', 'CA', 2, ['95814', '95816'], []],
  ['Fresno', 'CA', 1, ['93721', '93704'], []],
  ['Las Vegas', 'NV', 3, ['89101', '89109', '89123'], ['Vegas']],
  ['Phoenix', 'AZ', 5, ['85004', '85016', '85032'], []],
  ['Tucson', 'AZ', 2, ['85701', '85719'], []],
  ['Denver', 'CO', 4, ['80202', '80205', '80211'], []],
  ['Salt Lake City', 'UT', 2, ['84101', '84111'], ['SLC']],
  ['Boise', 'ID', 1, ['83702', '83706'], []],
  ['Albuquerque', 'NM', 2, ['87102', '87110'], ['ABQ']],
  ['Dallas', 'TX', 6, ['75201', '75204', '75219'], []],
  ['Houston', 'TX', 7, ['77002', '77006', '77019'], []],
  ['Austin', 'TX', 4, ['78701', '78704', '78745'], ['ATX']],
  ['San Antonio', 'TX', 4, ['78205', '78209'], []],
  ['El Paso', 'TX', 2, ['79901', '79912'], []],
  ['Oklahoma City', 'OK', 2, ['73102', '73112'], ['OKC']],
  ['Kansas City', 'MO', 2, ['64105', '64111'], ['KC']],
  ['St. Louis', 'MO', 3, ['63101', '63110'], ['STL']],
  ['Omaha', 'NE', 1, ['68102', '68131'], []],
  ['Minneapolis', 'MN', 4, ['55401', '55408', '55414'], []],
  ['Chicago', 'IL', 8, ['60601', '60614', '60647', '60622'], ['Chi-town']],
  ['Milwaukee', 'WI', 2, ['53202', '53212'], []],
  ['Detroit', 'MI', 4, ['48201', '48226'], []],
  ['Columbus', 'OH', 2, ['43215', '43201'], []],
  ['Cleveland', 'OH', 2, ['44113', '44102'], []],
  ['Cincinnati', 'OH', 2, ['45202', '45219'], []],
  ['Indianapolis', 'IN', 2, ['46204', '46220'], ['Indy']],
  ['Nashville', 'TN', 3, ['37203', '37206'], []],
  ['Memphis', 'TN', 2, ['38103', '38104'], []],
  ['Atlanta', 'GA', 6, ['30303', '30308', '30318'], ['ATL']],
  ['Charlotte', 'NC', 3, ['28202', '28205'], []],
  ['Raleigh', 'NC', 2, ['27601', '27609'], []],
  ['Miami', 'FL', 5, ['33130', '33139', '33155'], []],
  ['Tampa', 'FL', 3, ['33602', '33606'], []],
  ['Orlando', 'FL', 3, ['32801', '32806'], []],
  ['Jacksonville', 'FL', 2, ['32202', '32207'], ['Jax']],
  ['New Orleans', 'LA', 2, ['70112', '70116'], ['NOLA']],
  ['Pittsburgh', 'PA', 2, ['15222', '15213'], []],
  ['Philadelphia', 'PA', 5, ['19103', '19107', '19125'], ['Philly']],
  ['Baltimore', 'MD', 3, ['21201', '21224'], []],
  ['Washington', 'DC', 4, ['20001', '20009'], ['DC']],
  ['Boston', 'MA', 5, ['02108', '02116', '02130'], []],
  ['New York', 'NY', 10, ['10001', '10027', '10014'], ['NYC']],
  ['Buffalo', 'NY', 1, ['14202', '14214'], []],
  ['Newark', 'NJ', 2, ['07102', '07105'], []],
];

export const CITIES = RAW.map(([city, region, weight, zips, nick]) => ({
  city,
  region,
  state: STATES[region],
  weight,
  zips,
  nick,
}));

export const cityByName = (name) => CITIES.find((c) => c.city === name);

/** States with three or more cities here: the ones a region-wide trouble can be spread over. */
export const MULTI_CITY_STATES = Object.keys(STATES).filter(
  (s) => CITIES.filter((c) => c.region === s).length >= 3,
);

export const pickCity = (rng) => rng.weighted(CITIES.map((c) => [c, c.weight]));

/** Area object of the truth at a given level. */
export function areaOf(level, city, zip) {
  if (level === 'country') return { postalCode: null, city: null, region: null, country: 'US' };
  if (level === 'region')
    return { postalCode: null, city: null, region: city.region, country: 'US' };
  if (level === 'city')
    return { postalCode: null, city: city.city, region: city.region, country: 'US' };
  return { postalCode: zip, city: city.city, region: city.region, country: 'US' };
}

/**
 * How a customer writes where they are, in many shapes: the way people actually type places
 * ("78704", "austin tx", "South Austin", "here in ATX", "Austin, Texas").
 */
export function placePhrase(rng, city, zip, level) {
  const c = city.city;
  const lc = rng.chance(0.15) ? c.toLowerCase() : c;
  const useZip = zip && (level === 'postalCode' ? rng.chance(0.6) : rng.chance(0.2));
  if (useZip) {
    return rng.pick([
      `in ${zip}`,
      `zip ${zip}`,
      `(${zip})`,
      `around ${zip}`,
      `in the ${zip} area`,
      `${c} ${zip}`,
      `${zip} here`,
      `my zip is ${zip}`,
    ]);
  }
  const forms = [
    `in ${lc}`,
    `here in ${lc}`,
    `${lc}, ${city.region}`,
    `in ${c} ${city.region}`,
    `${c}, ${city.state}`,
    `all over ${lc}`,
    `in downtown ${c}`,
    `#${c.replace(/[ .]/g, '')}`,
    `out here in ${c}`,
    `${lc} area`,
  ];
  if (city.nick.length > 0 && rng.chance(0.25)) return `in ${rng.pick(city.nick)}`;
  return rng.pick(forms);
}

/** A state named as a whole ("across Texas", "all of TX"). */
export function statePhrase(rng, region) {
  const name = STATES[region];
  return rng.pick([
    `across ${name}`,
    `all over ${name}`,
    `in ${name}`,
    `here in ${name}`,
    `statewide in ${name}`,
    `whole state of ${name}`,
    `everywhere in ${region}`,
  ]);
}

/** Profile locations people leave on social accounts, many of them useless. */
export function profileLocation(rng, city) {
  if (city && rng.chance(0.85)) {
    return rng.pick([
      `${city.city}, ${city.region}`,
      `${city.city}, ${city.state}`,
      `${city.city}`,
      `${city.city} ${city.region} 🌴`,
      `${city.state}, USA`,
    ]);
  }
  return rng.pick([
    'Earth',
    'somewhere',
    'wherever the wifi works',
    'she/her',
    'USA 🇺🇸',
    'the void',
    'on the road',
  ]);
}
