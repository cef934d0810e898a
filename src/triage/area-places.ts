/**
 * Place names the area extractor reads besides the ZIP data of `zipcodes`: US nicknames, the ways
 * people write a state, countries, and large places outside the US. Written by us from general
 * knowledge. All are Maps keyed by lower-case text: looked up on a plain object, a place called
 * "Constructor" found Object.prototype's function and crashed the classify stage.
 */

export const US_STATES = new Set(
  'AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY PR'.split(
    ' ',
  ),
);

/**
 * State codes that, in capitals, are also words, abbreviations or nicknames ("in OK shape", "CO2",
 * "SD" for San Diego): read as a state only next to a place.
 */
export const WORDLIKE_STATE_CODES = new Set('IN OR ME HI OK OH ID CO AL SD'.split(' '));

/** State codes that, written with one capital ("Or", "Me", "Pa"), are words: never read as states. */
export const MIXED_CASE_WORDS = new Set(
  'IN OR ME HI OK OH ID CO AL PA MA MO MS DE LA GA'.split(' '),
);

/** Traditional and AP-style abbreviations and common short forms of state names. */
export const STATE_SHORT = new Map<string, string>(
  (
    'ala:AL ariz:AZ ark:AR calif:CA cali:CA colo:CO conn:CT fla:FL ill:IL ind:IN kan:KS kans:KS ' +
    'mass:MA mich:MI minn:MN miss:MS mont:MT neb:NE nebr:NE nev:NV okla:OK ore:OR penn:PA ' +
    'penna:PA tenn:TN tex:TX wash:WA wis:WI wisc:WI wyo:WY'
  )
    .split(' ')
    .map((pair) => pair.split(':') as [string, string]),
);

/** Countries people write after "in", or after a city ("Lagos, Nigeria"): ISO 3166-1 alpha-2. */
export const COUNTRIES = new Map<string, string>([
  ['uk', 'GB'],
  ['u.k', 'GB'],
  ['united kingdom', 'GB'],
  ['great britain', 'GB'],
  ['britain', 'GB'],
  ['england', 'GB'],
  ['scotland', 'GB'],
  ['wales', 'GB'],
  ['northern ireland', 'GB'],
  ['ireland', 'IE'],
  ['usa', 'US'],
  ['u.s.a', 'US'],
  ['united states', 'US'],
  ['canada', 'CA'],
  ['mexico', 'MX'],
  ['jamaica', 'JM'],
  ['bahamas', 'BS'],
  ['barbados', 'BB'],
  ['trinidad', 'TT'],
  ['grenada', 'GD'],
  ['brazil', 'BR'],
  ['argentina', 'AR'],
  ['colombia', 'CO'],
  ['india', 'IN'],
  ['pakistan', 'PK'],
  ['bangladesh', 'BD'],
  ['sri lanka', 'LK'],
  ['nigeria', 'NG'],
  ['ghana', 'GH'],
  ['kenya', 'KE'],
  ['south africa', 'ZA'],
  ['egypt', 'EG'],
  ['uae', 'AE'],
  ['united arab emirates', 'AE'],
  ['saudi arabia', 'SA'],
  ['qatar', 'QA'],
  ['israel', 'IL'],
  ['australia', 'AU'],
  ['new zealand', 'NZ'],
  ['philippines', 'PH'],
  ['malaysia', 'MY'],
  ['singapore', 'SG'],
  ['indonesia', 'ID'],
  ['thailand', 'TH'],
  ['vietnam', 'VN'],
  ['japan', 'JP'],
  ['china', 'CN'],
  ['hong kong', 'HK'],
  ['taiwan', 'TW'],
  ['south korea', 'KR'],
  ['korea', 'KR'],
  ['germany', 'DE'],
  ['france', 'FR'],
  ['spain', 'ES'],
  ['portugal', 'PT'],
  ['italy', 'IT'],
  ['netherlands', 'NL'],
  ['holland', 'NL'],
  ['belgium', 'BE'],
  ['switzerland', 'CH'],
  ['austria', 'AT'],
  ['poland', 'PL'],
  ['sweden', 'SE'],
  ['norway', 'NO'],
  ['denmark', 'DK'],
  ['finland', 'FI'],
  ['greece', 'GR'],
  ['russia', 'RU'],
  ['ukraine', 'UA'],
]);

/**
 * Large places outside the US, and London's main stations and airport. Read alone ("in Leeds",
 * "Manchester airport") they win over a US town of the same name: Manchester, Birmingham or
 * Reading said alone in a tweet is more often the British one. A US state next to the name
 * ("Birmingham, AL") still wins, because it is read first.
 */
export const WORLD_PLACES = new Map<string, [string, string]>([
  ...pairs('GB', [
    'London',
    'Manchester',
    'Birmingham',
    'Leeds',
    'Glasgow',
    'Edinburgh',
    'Liverpool',
    'Bristol',
    'Sheffield',
    'Cardiff',
    'Belfast',
    'Newcastle',
    'Nottingham',
    'Leicester',
    'Brighton',
    'Southampton',
    'Portsmouth',
    'Coventry',
    'Bradford',
    'Aberdeen',
    'Dundee',
    'Swansea',
    'Norwich',
    'Milton Keynes',
    'Reading',
    'Stoke-on-Trent',
    'Wolverhampton',
    'Sunderland',
    'Northampton',
    'Peterborough',
    'Luton',
    'Swindon',
    'Stockport',
    'Croydon',
  ]),
  ...pairs('IN', [
    'Mumbai',
    'Delhi',
    'New Delhi',
    'Bangalore',
    'Bengaluru',
    'Chennai',
    'Hyderabad',
    'Pune',
    'Kolkata',
    'Ahmedabad',
    'Jaipur',
    'Lucknow',
    'Noida',
    'Gurgaon',
    'Gurugram',
    'Chandigarh',
  ]),
  ...pairs('CA', ['Toronto', 'Vancouver', 'Montreal', 'Calgary', 'Ottawa', 'Edmonton']),
  ...pairs('AU', ['Sydney', 'Melbourne', 'Brisbane', 'Perth', 'Adelaide']),
  ...pairs('IE', ['Dublin']),
  ...pairs('NG', ['Lagos', 'Abuja']),
  ...pairs('KE', ['Nairobi', 'Mombasa']),
  ...pairs('ZA', ['Johannesburg', 'Cape Town']),
  ...pairs('AE', ['Dubai', 'Abu Dhabi']),
  ...pairs('PK', ['Karachi', 'Lahore', 'Islamabad']),
  ...pairs('FR', ['Paris']),
  ...pairs('DE', ['Berlin', 'Munich', 'Frankfurt', 'Hamburg', 'Cologne']),
  ...pairs('ES', ['Madrid', 'Barcelona']),
  ...pairs('IT', ['Rome', 'Milan']),
  ...pairs('NL', ['Amsterdam']),
  ...pairs('AT', ['Vienna']),
  ...pairs('JP', ['Tokyo', 'Osaka']),
  ...pairs('PH', ['Manila']),
  ...pairs('MY', ['Kuala Lumpur']),
  ...pairs('SG', ['Singapore']),
  ...pairs('HK', ['Hong Kong']),
  ['koeln', ['Cologne', 'DE']],
  ['köln', ['Cologne', 'DE']],
  ['euston', ['London', 'GB']],
  ['paddington', ['London', 'GB']],
  ['kings cross', ['London', 'GB']],
  ["king's cross", ['London', 'GB']],
  ['st pancras', ['London', 'GB']],
  ['heathrow', ['London', 'GB']],
]);

function pairs(country: string, names: string[]): [string, [string, string]][] {
  return names.map((n) => [n.toLowerCase(), [n, country]]);
}

/**
 * Nicknames people write instead of a US city's name, boroughs whose name is another, smaller
 * town's in the ZIP data ("Manhattan" alone is Manhattan, Kansas there), and the codes of large
 * airports (read only in capitals, like every short nickname).
 */
export const US_ALIASES = new Map<string, [string, string]>([
  ['nyc', ['New York', 'NY']],
  ['new york city', ['New York', 'NY']],
  ['big apple', ['New York', 'NY']],
  ['manhattan', ['New York', 'NY']],
  ['the bronx', ['Bronx', 'NY']],
  ['bklyn', ['Brooklyn', 'NY']],
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
  ['chicagoland', ['Chicago', 'IL']],
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
  ['jfk', ['New York', 'NY']],
  ['lga', ['New York', 'NY']],
  ['lax', ['Los Angeles', 'CA']],
  ['sfo', ['San Francisco', 'CA']],
  ['ord', ['Chicago', 'IL']],
  ['mco', ['Orlando', 'FL']],
  ['bwi', ['Baltimore', 'MD']],
  ['dtw', ['Detroit', 'MI']],
  ['msp', ['Minneapolis', 'MN']],
  ['iah', ['Houston', 'TX']],
  ['phl', ['Philadelphia', 'PA']],
  // Nicknames and airport-style codes people write for mid-sized cities (QA replay: "in ABQ",
  // "in Burque", "in TUS"), and for large ones the simulator uses ("Mile High", "BOS", "CHI"; not
  // "SEA" nor "MIA": "lost at SEA", "went MIA").
  ['stl', ['Saint Louis', 'MO']],
  ['abq', ['Albuquerque', 'NM']],
  ['burque', ['Albuquerque', 'NM']],
  ['duke city', ['Albuquerque', 'NM']],
  ['tus', ['Tucson', 'AZ']],
  ['old pueblo', ['Tucson', 'AZ']],
  ['buf', ['Buffalo', 'NY']],
  ['oma', ['Omaha', 'NE']],
  ['boi', ['Boise', 'ID']],
  ['rva', ['Richmond', 'VA']],
  ['elp', ['El Paso', 'TX']],
  ['chuco', ['El Paso', 'TX']],
  ['chuco town', ['El Paso', 'TX']],
  ['okc', ['Oklahoma City', 'OK']],
  ['cincy', ['Cincinnati', 'OH']],
  ['indy', ['Indianapolis', 'IN']],
  ['big easy', ['New Orleans', 'LA']],
  ['bmore', ['Baltimore', 'MD']],
  ['pgh', ['Pittsburgh', 'PA']],
  ['mke', ['Milwaukee', 'WI']],
  ['jax', ['Jacksonville', 'FL']],
  ['sactown', ['Sacramento', 'CA']],
  ['san fran', ['San Francisco', 'CA']],
  ['mile high', ['Denver', 'CO']],
  ['bos', ['Boston', 'MA']],
  ['chi', ['Chicago', 'IL']],
  // QA replay 2: "in the Burgh", "in Red Stick", "#Cuse".
  ['burgh', ['Pittsburgh', 'PA']],
  ['the burgh', ['Pittsburgh', 'PA']],
  ['red stick', ['Baton Rouge', 'LA']],
  ['cuse', ['Syracuse', 'NY']],
]);

/**
 * Names several large places share ("Springfield": Illinois, Massachusetts, Missouri): not read
 * alone in a sentence. A profile field or a list filter of that name still reads the largest, as it
 * did before; an ambiguous word there is the writer's own choice of label.
 */
export const SHARED_NAMES = new Set(['springfield', 'arlington']);

/**
 * City names in AMBIGUOUS that, where a place is expected (a whole profile field, or the whole
 * capitalised run after "in": "here in Buffalo", not "at Buffalo Wild Wings"), are the city: the
 * word's other sense does not follow "in" alone.
 */
export const PLACE_WORD_CITIES = new Set(['buffalo', 'mesa']);

/** City names that are also ordinary words or brands; only trusted next to a state. */
export const AMBIGUOUS = new Set(
  'home,mobile,orange,sprint,verizon,comcast,ok,hope,friendship,independence,commerce,energy,liberty,surprise,opportunity,paradise,victory,speed,early,why,normal,price,bill,cash,page,story,post,star,center,central,union,globe,eureka,enterprise,lynn,jackson,franklin,clinton,madison,lincoln,washington,marion,florence,aurora,warren,salem,troy,chester,alexandria,buffalo,mesa'.split(
    ',',
  ),
);

/**
 * Small towns that dominantCity (area-gazetteer.ts) would read alone, whose name said alone more
 * often means something else: a larger place abroad or elsewhere ("in Lima", "in Hollywood",
 * "in Carolina" is not Carolina, Puerto Rico), a region ("across New England"), a season or word
 * ("in Spring", "in Vista"), or a person. Checked by hand against the ZIP data's one-word names of that kind.
 */
export const NOT_ALONE = new Set(
  'new england,midwest,central valley,big island,panhandle,happy valley,west end,the rock,alice,cambridge,carolina,everett,gilbert,globe,golden,hamilton,holiday,hollywood,jean,lima,logan,media,norman,odessa,palestine,rule,sandy,scarborough,shelby,spring,stratford,temple,tracy,valencia,victoria,vista,walls,warsaw,waterloo,wilson,york,elizabeth,bryan,stuart,sherman,sterling,monroe'.split(
    ',',
  ),
);

/** Canadian province and territory codes (the ZIP data's state list includes them). */
const PROVINCES = new Set([
  'AB',
  'BC',
  'MB',
  'NB',
  'NL',
  'NS',
  'NT',
  'NU',
  'ON',
  'PE',
  'QC',
  'SK',
  'YT',
]);

/** The country of a state or province code: Canada for a province, else the US. */
export function countryOfRegion(code: string): 'US' | 'CA' {
  return PROVINCES.has(code) ? 'CA' : 'US';
}

/**
 * The province of each Canadian city of `WORLD_PLACES`: triage places a complaint there by the
 * city alone (region null), and a place asked about by its province ("ON", the problem list's
 * filter or an owner rule) must still find it (`placeWithin`).
 */
export const CANADIAN_CITY_PROVINCE = new Map([
  ['toronto', 'ON'],
  ['ottawa', 'ON'],
  ['vancouver', 'BC'],
  ['montreal', 'QC'],
  ['calgary', 'AB'],
  ['edmonton', 'AB'],
]);
