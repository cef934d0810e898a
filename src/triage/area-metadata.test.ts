import { describe, expect, it } from 'vitest';
import { extractArea } from './area.js';
import { findCity, gaz } from './area-gazetteer.js';

/** The area as [postalCode, city, region, country], from the text and the author's location. */
const where = (text: string, location?: string) => {
  const a = extractArea(text, location);
  return a && [a.postalCode, a.city, a.region, a.country];
};

// QA replay 2 (§4.4): Portland, Maine read as Portland, Oregon though the message said Maine.
describe('area: the author location says which of two cities of one name', () => {
  it('reads a lower-case state code after a comma where the text puts a place', () => {
    const maine = [null, 'Portland', 'ME', 'US'];
    expect(where('internet and tv are both out in portland, me')).toEqual(maine);
    expect(
      where('hi 45 minutes on hold and then the call dropped in portland, me please help'),
    ).toEqual(maine);
    expect(where('portland me — hotspot keeps disconnecting every few minutes')).toEqual(maine);
    // A profile field written the same way.
    expect(where('my wifi keeps going down every evening in portland', 'portland me')).toEqual(
      maine,
    );
    // "me" the pronoun.
    expect(where('i called portland, me and my wife both')).toBeNull();
  });

  it('takes the text’s city in the profile’s state, when that state has it', () => {
    expect(where('down for hours now, when will it be back in Portland', 'Maine')).toEqual([
      null,
      'Portland',
      'ME',
      'US',
    ]);
    expect(where('no signal in Rochester since 9', 'Minnesota')).toEqual([
      null,
      'Rochester',
      'MN',
      'US',
    ]);
    expect(where('internet down in Springfield', 'Missouri')).toEqual([
      null,
      'Springfield',
      'MO',
      'US',
    ]);
    expect(
      where('@ThroughlineHelp reception is basically zero #Springfield', 'Springfield, MO'),
    ).toEqual([null, 'Springfield', 'MO', 'US']);
    // The other way round: the text gives the state, the profile the city.
    expect(where('reception is zero across Maine', '📍 Portland')).toEqual([
      null,
      'Portland',
      'ME',
      'US',
    ]);
  });

  it('takes the profile’s address (city, state and ZIP) for the city the text names alone', () => {
    expect(where('#Portland internet down again', 'PORTLAND, ME 04101')).toEqual([
      '04101',
      'Portland',
      'ME',
      'US',
    ]);
    expect(where('#Springfield outage since noon', 'SPRINGFIELD, MO 65806')).toEqual([
      '65806',
      'Springfield',
      'MO',
      'US',
    ]);
    // A big city's one-ZIP namesake only with its ZIP code: "Denver, PA" alone may be a past home.
    expect(where('no service in Denver', 'DENVER, PA 17517')).toEqual([
      '17517',
      'Denver',
      'PA',
      'US',
    ]);
    expect(where('no service in Denver', 'Denver, PA')?.[2]).toBe('CO');
  });

  it('reads "New York" in the text as the profile’s town of New York state', () => {
    expect(
      where('45 minutes on hold and then the call dropped across New York', 'ROCHESTER, NY 14614'),
    ).toEqual(['14614', 'Rochester', 'NY', 'US']);
    expect(where('reception is basically zero here in New York', 'Syracuse, New York')).toEqual([
      null,
      'Syracuse',
      'NY',
      'US',
    ]);
    // A profile naming the state (or the city) does not move a town the text names.
    for (const [text, city] of [
      ['no signal in Rochester since 9', 'Rochester'],
      ['no signal in Syracuse all day', 'Syracuse'],
    ])
      expect(where(text, 'New York'), text).toEqual([null, city, 'NY', 'US']);
  });

  it('takes a large place abroad named alone as the large US city of the profile’s state', () => {
    const alabama = [null, 'Birmingham', 'AL', 'US'];
    expect(where('no signal in Birmingham since noon', 'Alabama')).toEqual(alabama);
    expect(where('no signal across Alabama today', '📍 Birmingham')).toEqual(alabama);
    // Not a small namesake: a Texan's "no service in Paris" may be roaming in France.
    expect(where('no service in Paris', 'Texas')?.[3]).toBe('FR');
  });

  // QA round 2: a desk in the US read "Birmingham" alone as England's.
  it('takes a large place abroad named alone as its large US namesake for any US writer', () => {
    const alabama = [null, 'Birmingham', 'AL', 'US'];
    expect(where('no signal in Birmingham since noon', 'Texas')).toEqual(alabama);
    expect(where('#Birmingham internet down', 'Austin, TX')).toEqual(alabama);
    // Not a small namesake (Manchester, NH has 9 ZIP codes), nor a place given its country, nor
    // for a writer abroad or of no known place.
    expect(where('no service in Manchester', 'Texas')?.[3]).toBe('GB');
    expect(where('no signal in Birmingham, UK', 'Texas')?.[3]).toBe('GB');
    expect(where('no signal in Birmingham since noon', 'London')?.[3]).toBe('GB');
    expect(where('no signal in Birmingham since noon')?.[3]).toBe('GB');
  });

  it('leaves a nickname, a state-qualified place and a one-ZIP namesake as they are', () => {
    expect(where('no service in NYC', 'Rochester, NY')?.[1]).toBe('New York');
    expect(where('no service around PDX', 'Maine')).toEqual([null, 'Portland', 'OR', 'US']);
    expect(where('no service in Portland, OR', 'Maine')?.[2]).toBe('OR');
    // Dallas, PA has two ZIP codes: a Pennsylvanian's "in Dallas" is Texas.
    expect(where('stuck at the airport in Dallas', 'Pennsylvania')?.[2]).toBe('TX');
    expect(where('no service in Portland', 'Austin, TX')?.[2]).toBe('OR');
  });
});

// QA replay 2: "#Bham" became a city "Bham", Alabama, counted apart from Birmingham.
describe('area: the ZIP data’s contractions of a city’s name', () => {
  it('reads them as the city they shorten, in text and in ZIP codes', () => {
    const birmingham = [null, 'Birmingham', 'AL', 'US'];
    expect(where('#Bham outage again')).toEqual(birmingham);
    expect(where('internet out in Bham since 6')).toEqual(birmingham);
    expect(gaz().zip('35225')?.city).toBe('Birmingham');
    expect(gaz().zip('38142')?.city).toBe('Memphis');
    expect(findCity('Nashvl')?.city).toBe('Nashville');
    // A town beside a longer name that starts with its own is a town ("Newton", "Newton Center").
    expect(findCity('Newton', 'MA')?.city).toBe('Newton');
    expect(findCity('Hon', 'HI')?.city).toBe('Hon');
  });
});

describe('area: a city before "customer", and more nicknames', () => {
  it('reads a sizeable city before customer, resident or subscriber', () => {
    const pittsburgh = [null, 'Pittsburgh', 'PA', 'US'];
    expect(where('Pittsburgh customer: internet and tv are both out')).toEqual(pittsburgh);
    expect(where('@ThroughlineHelp Pittsburgh customer: home internet is out')).toEqual(pittsburgh);
    expect(where('pittsburgh customer: internet and tv are both out')).toEqual(pittsburgh);
    expect(where('Orlando residents are without power again')?.[1]).toBe('Orlando');
  });

  it('does not read brands, words or a firm’s customer service as places', () => {
    for (const text of [
      'Buffalo wings are my favourite, app is down',
      'Buffalo customer here, app is down',
      'Mobile data not working',
      'Mobile customer service is useless',
      'Phoenix app keeps crashing',
      'Phoenix customer service is useless',
      'T-Mobile customer for 10 years',
      'Verizon customer, no signal',
      'Frontier customer, internet out',
      'Loyal Customer for years',
      'Prime customer, where is my package',
      'Virgin Media customer since 2010',
      'Delta customer, lost my bag',
    ])
      expect(where(text), text).toBeNull();
  });

  it('reads "the Burgh", "Red Stick" and "#Cuse"', () => {
    expect(where('no service in the Burgh')).toEqual([null, 'Pittsburgh', 'PA', 'US']);
    expect(where('no service in Red Stick all day')).toEqual([null, 'Baton Rouge', 'LA', 'US']);
    expect(where('45 minutes on hold and then the call dropped #Cuse')).toEqual([
      null,
      'Syracuse',
      'NY',
      'US',
    ]);
  });
});
