import { describe, expect, it } from 'vitest';
import { extractArea } from './area.js';

const where = (text: string) => {
  const a = extractArea(text);
  return a && [a.postalCode, a.city, a.region, a.country];
};

describe('area: a place with its state or country', () => {
  it('reads the state however it is written, with or without a comma', () => {
    expect(where('Boston Road in Andover MA. Please fix.')).toEqual([null, 'Andover', 'MA', 'US']);
    expect(where('@Nordstrom in Norfolk,Va you need training')).toEqual([
      null,
      'Norfolk',
      'VA',
      'US',
    ]);
    expect(where('internet outages in Salisbury Mass today')).toEqual([
      null,
      'Salisbury',
      'MA',
      'US',
    ]);
    expect(where('your stores here in Melbourne Florida are awful')).toEqual([
      null,
      'Melbourne',
      'FL',
      'US',
    ]);
    expect(where('The location is off gallery avenue. In Virginia Beach, Va')).toEqual([
      null,
      'Virginia Beach',
      'VA',
      'US',
    ]);
    expect(where('no service in St. Louis, MO since noon')?.[1]).toBe('Saint Louis');
  });

  it('keeps the state of a town it does not know, only where the text puts the customer', () => {
    expect(where('when will power be restored in Marlboro MA?')).toEqual([null, null, 'MA', 'US']);
    expect(where('I love NY')).toBeNull();
  });

  it('reads a town abroad with its country, and the country alone after "in"', () => {
    expect(where("I'm in Lagos, Nigeria this week")).toEqual([null, 'Lagos', null, 'NG']);
    expect(where('any delays in Koeln,Germany due to weather?')).toEqual([
      null,
      'Cologne',
      null,
      'DE',
    ]);
    expect(where('nothing on our end here in Canada yet')).toEqual([null, null, null, 'CA']);
    expect(where('Finally in the UK! About time')).toEqual([null, null, null, 'GB']);
    expect(where('Can we have Square in Nigeria too?')?.[3]).toBe('NG');
  });

  it('reads a state after "in", but not one that starts a longer name or is a word', () => {
    expect(where('You say that now that I’m in Minnesota')).toEqual([null, null, 'MN', 'US']);
    expect(where('get service back in New Hampshire. Not like')).toEqual([null, null, 'NH', 'US']);
    expect(where('this week in Colorado Springs the calls drop')).toEqual([
      null,
      'Colorado Springs',
      'CO',
      'US',
    ]);
    expect(where('no signal in New York tonight')?.[1]).toBe('New York');
    expect(where('we are out in LA tonight')?.[1]).toBe('Los Angeles');
    expect(where('I am in OK shape, thanks')).toBeNull();
    expect(where('Dead zone around my office around LA. Is a tower coming?')?.[1]).toBe(
      'Los Angeles',
    );
    // The capital as often as the state: left alone in a sentence.
    expect(where('slow since 1 PM in Washington. Getting 3 Mbps')).toBeNull();
  });

  it('reads a profile with its state spelt out, and leaves a bare code that may be a nickname', () => {
    expect(extractArea('down', 'Washington, District of Columbia')).toMatchObject({
      city: 'Washington',
      region: 'DC',
    });
    expect(extractArea('down', 'Washington, DC')).toMatchObject({ city: 'Washington' });
    expect(extractArea('down', 'SD')).toBeNull();
    expect(extractArea('down', 'Colorado')?.region).toBe('CO');
  });
});

describe('area: places named alone', () => {
  it('prefers the large place abroad, unless a US state says otherwise', () => {
    expect(where('I bought it at Manchester airport last month')).toEqual([
      null,
      'Manchester',
      null,
      'GB',
    ]);
    expect(where('your Birmingham New Street store was rude')?.[3]).toBe('GB');
    expect(where('awful store in Birmingham, AL')).toEqual([null, 'Birmingham', 'AL', 'US']);
    expect(where('do you have it in any central London stores?')?.[1]).toBe('London');
    expect(where('is the 20:40 from Euston to Manchester running?')?.[1]).toBe('London');
  });

  it('reads airport codes, nicknames and hashtags', () => {
    expect(where('Thanks for the outlets at LAX')?.[1]).toBe('Los Angeles');
    // At the end of a sentence too.
    expect(where('Dead zone around my office around PDX. When will this improve?')?.[1]).toBe(
      'Portland',
    );
    expect(where('calls keep dropping in NYC.')?.[1]).toBe('New York');
    // Nicknames whose own last letter is a full stop.
    expect(where('no signal in L.A. since noon')?.[1]).toBe('Los Angeles');
    expect(where('power is out in Washington D.C. again')?.[2]).toBe('DC');
    expect(where('every service center in the Chicagoland area')?.[1]).toBe('Chicago');
    expect(where('the show was amazing #Houston')).toEqual([null, 'Houston', 'TX', 'US']);
    expect(where('finally got her #Missouri plates')).toEqual([null, null, 'MO', 'US']);
  });
});

describe('area: what is not a place', () => {
  it('leaves numbers that are not ZIP codes', () => {
    expect(where('Train12404 is 5 hrs late')).toBeNull();
    expect(where('Coffee and Tea Maker CM30055, too slow')).toBeNull();
    expect(where('mAadhaar not accepted in train 16127 coach S4')).toBeNull();
    expect(where('I have been waiting 90210 years lol')).toBeNull();
    // Still a ZIP when nothing says otherwise.
    expect(where('Internet down, again. 95608.')?.[0]).toBe('95608');
  });

  it('leaves countries and states that do not locate the customer', () => {
    expect(where('Take me back to Brazil palettes')).toBeNull();
    expect(where('@VodafoneIN network going worse by the day')).toBeNull();
    expect(where('So last week Michigan wins 33-10')).toBeNull();
    expect(where('Visit participating Xfinity Stores across New England')).toBeNull();
    expect(where('Me and Pa went to the store')).toBeNull();
  });
});

describe('area: texts written without capitals', () => {
  it('reads places as it would capitalised', () => {
    expect(where('calls keep dropping in new york, ny. any update?')).toEqual([
      null,
      'New York',
      'NY',
      'US',
    ]);
    expect(where('signal down in detroit, mi since 6 am')).toEqual([null, 'Detroit', 'MI', 'US']);
    expect(where('no service at home in austin texas')).toEqual([null, 'Austin', 'TX', 'US']);
    expect(where('hey. internet out in denver for 3 hours')?.[1]).toBe('Denver');
    expect(where('i think the whole of #houston is down')?.[1]).toBe('Houston');
  });

  it('takes no capitals from a handle, a hashtag or an opening salutation', () => {
    expect(where('@VireoCare is there an outage in houston tx? no internet #Vireo')).toEqual([
      null,
      'Houston',
      'TX',
      'US',
    ]);
    expect(where('Hi Vireo team, entire building has no internet in houston!!!')?.[1]).toBe(
      'Houston',
    );
    // Nor a state's code after a comma, written as in an address.
    expect(where('Internet down fresno, CA since this morning')).toEqual([
      null,
      'Fresno',
      'CA',
      'US',
    ]);
    expect(where('ugh, OK whatever')).toBeNull();
    // Capitals elsewhere still say the writer writes places with them.
    expect(where('@VireoCare My Order is stuck in denver somewhere')).toBeNull();
    expect(where('My Order is stuck in denver, CO somewhere')).toBeNull();
    expect(where('@VireoCare I am in reading mode all day')).toBeNull();
  });

  it('leaves words that are places only with a capital, and texts whose capitals say otherwise', () => {
    expect(where('I am in reading mode all day')).toBeNull();
    expect(where('stuck at flint and steel crafting')).toBeNull();
    expect(where('call me, ok')).toBeNull();
    // A comma and two letters are a state only after a town of that state.
    for (const text of [
      'ugh, oh well',
      'great, oh my god my bill again',
      'my account, id 55555 is locked',
      'sure, ma',
      'omg, la familia',
      'fine, ne',
      'so mad, co workers too',
    ])
      expect(where(text)).toBeNull();
    expect(where('in the store nobody could help')).toBeNull();
    // Written with capitals, a lower-case word is not a name.
    expect(where('My Order is stuck in denver somewhere')).toBeNull();
  });
});

describe('area: QA round', () => {
  it('reads a profile location with an emoji before or after the name', () => {
    for (const loc of ['📍 Brooklyn', '📍Brooklyn', 'Brooklyn 🗽'])
      expect(extractArea('outage again', loc), loc).toMatchObject({
        city: 'Brooklyn',
        region: 'NY',
      });
    expect(extractArea('outage again', '📍 Austin')).toMatchObject({
      city: 'Austin',
      region: 'TX',
    });
  });

  it('reads a profile that names a large place abroad as a sentence would, not a US namesake', () => {
    for (const [loc, city, country] of [
      ['London', 'London', 'GB'],
      ['Manchester', 'Manchester', 'GB'],
      ['Paris', 'Paris', 'FR'],
      ['London | coffee', 'London', 'GB'],
    ])
      expect(extractArea('outage again', loc), loc).toMatchObject({ city, region: null, country });
    // The same word with its state is the US town.
    expect(extractArea('outage again', 'Paris, TX')).toMatchObject({ city: 'Paris', region: 'TX' });
    expect(extractArea('outage again', 'London, KY')).toMatchObject({
      city: 'London',
      region: 'KY',
    });
  });

  it('takes the profile’s state for a place the text names alone', () => {
    expect(extractArea('no service in Paris', 'Paris, TX')).toMatchObject({
      city: 'Paris',
      region: 'TX',
      country: 'US',
    });
    // Another town in the profile: the text's place stands.
    expect(extractArea('no service in Paris', 'Austin, TX')).toMatchObject({ country: 'FR' });
    expect(extractArea('no service in Paris')).toMatchObject({ country: 'FR' });
    // A text place with its state is not second-guessed.
    expect(extractArea('no service in Denver', 'Denver, PA')).toMatchObject({ region: 'CO' });
  });

  it('finds NYC "all over", in lower case, and the nicknames that take "the"', () => {
    const nyc = [null, 'New York', 'NY', 'US'];
    for (const text of [
      'internet down all over NYC',
      'all over New York City',
      'internet down in nyc',
      'no service in nyc',
      'no service in the Big Apple',
    ])
      expect(where(text), text).toEqual(nyc);
    expect(where('outage in the Bay Area')).toEqual([null, 'San Francisco', 'CA', 'US']);
    expect(where('no signal in Chi-town')).toEqual([null, 'Chicago', 'IL', 'US']);
    // A nickname ending a sentence: the full stop is not part of it.
    expect(where('my 5g dropped out around pdx. is this an outage?')).toEqual([
      null,
      'Portland',
      'OR',
      'US',
    ]);
    expect(where('no service in nyc. again')).toEqual(nyc);
    // Not airport codes or "la" when the text has no capitals.
    expect(where('security at the store is lax')).toBeNull();
  });

  it('reads a text written in capitals throughout as one written without them', () => {
    expect(where('MODEM KEEPS SAYING NO SYNC IN DOWNTOWN SAN ANTONIO!!!')).toEqual([
      null,
      'San Antonio',
      'TX',
      'US',
    ]);
    expect(where('@VireoCare NEIGHBORS ARE DOWN TOO ALL OVER HOUSTON, OUTAGE?')?.[1]).toBe(
      'Houston',
    );
    // Its safeguards stay: a word that is a place only with a capital, a place too small alone.
    expect(where('I AM IN READING MODE ALL DAY')).toBeNull();
    expect(where('NO SIGNAL IN MOBILE TODAY')).toBeNull();
    // Too short to say how the writer writes.
    expect(where('IN AUSTIN')).toBeNull();
  });

  it('reads a state after "the whole state of"', () => {
    const ca = [null, null, 'CA', 'US'];
    expect(where('no internet no tv whole state of California whats going on')).toEqual(ca);
    expect(where('outage across the entire state of California')).toEqual(ca);
    expect(where('calls dropping in the state of Ohio')).toEqual([null, null, 'OH', 'US']);
    expect(where('the state of my bill is a joke')).toBeNull();
  });

  it('gives a UK postcode without a region: its letters are not one', () => {
    expect(where('broadband down at SW1A 1AA')).toEqual(['SW1A 1AA', null, null, 'GB']);
    expect(where('no signal M1 1AE')).toEqual(['M1 1AE', null, null, 'GB']);
  });
});
