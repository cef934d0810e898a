import { describe, expect, it } from 'vitest';
import { extractArea } from './area.js';

const where = (text: string) => {
  const a = extractArea(text);
  return a && [a.postalCode, a.city, a.region, a.country];
};
const sd = [null, 'San Diego', 'CA', 'US'];
const tx = [null, null, 'TX', 'US'];

describe('area: places set apart in the sentence', () => {
  it('reads a place in parentheses, alone or as an area, in any case', () => {
    expect(where('every text i receive is just squares and symbols (san diego)')).toEqual(sd);
    expect(where('My account page is blank (San Diego area)')).toEqual(sd);
    expect(where('PASSWORD IS CORRECT BUT APP SAYS INVALID (SAN DIEGO)')).toEqual(sd);
    expect(where('router restarts itself over and over (texas)')).toEqual(tx);
    expect(where('router firmware update failed and now no wifi (Texas) fix it')).toEqual(tx);
    // Not a word that is a place only with a capital, nor a state that is as often a city.
    expect(where('my bill (mobile) went up')).toBeNull();
    expect(where('calls drop (Washington)')).toBeNull();
    expect(where('the new phone (Galaxy) is great')).toBeNull();
  });

  it('reads a city where only a place can follow, even one whose name is a state too', () => {
    const dc = [null, 'Washington', 'DC', 'US'];
    // Outside-style set, draw c: a dropped-calls trouble of Washington, DC.
    expect(where('every call drops after 10 seconds in downtown Washington')).toEqual(dc);
    expect(where('IS THERE A PROBLEM WITH CALLS IN DOWNTOWN WASHINGTON?')).toEqual(dc);
    expect(where('no signal on the outskirts of Washington')).toEqual(dc);
    // "In Washington" is as often the state.
    expect(where('calls keep dropping all over Washington today')).toBeNull();
    expect(where('calls drop in Washington')).toBeNull();
  });

  it('reads a sizeable place or a state heading the message before a dash', () => {
    expect(where('@VireoCare Detroit - caller ID says ORCA TEST')).toEqual([
      null,
      'Detroit',
      'MI',
      'US',
    ]);
    expect(where('Hello, houston - every text i receive is just squares')?.[1]).toBe('Houston');
    expect(where('Downtown San Diego - texts arriving as boxes')).toEqual(sd);
    expect(where('Texas - autopay ran twice today')).toEqual(tx);
    // A small town or a word is no place there: "Mobile" heads many a message about phones.
    expect(where('Mobile - my data stopped')).toBeNull();
    expect(where('Update: still no signal')).toBeNull();
  });

  it('reads a place before "area" even where the word alone is doubtful', () => {
    expect(where('home internet is out buffalo area')).toEqual([null, 'Buffalo', 'NY', 'US']);
    expect(where('MOBILE DATA IS UNUSABLE DENVER AREA RIGHT NOW')?.[1]).toBe('Denver');
  });
});

describe('area: texts written without capitals', () => {
  it('reads a state after "in" though every word after it was given a capital', () => {
    expect(where('no internet no tv in texas whats going on')).toEqual(tx);
    expect(where('massive outage in california right now')).toEqual([null, null, 'CA', 'US']);
    // A longer known name still goes on.
    expect(where('no signal in kansas city today')?.[1]).toBe('Kansas City');
  });

  it('judges the case on what the writer wrote, not a signature or a caller’s name', () => {
    const mail =
      'Hi,\n\neverything is down in san diego. phone, internet, all of it\n\nThanks,\nUma Adams';
    expect(where(mail)).toEqual(sd);
    const signed =
      'Hello,\n\nservice is down in boston for everyone i know\n\nSanjay Adams\nAcct #196610309';
    expect(where(signed)?.[1]).toBe('Boston');
    const call =
      '[voicemail transcript] hi this is Gina calling about my account, is there an outage houston, tx? no internet';
    expect(where(call)?.[1]).toBe('Houston');
    // A cased message stays cased: lower-case words there are words.
    expect(where('Hi, I am reading in bed. Thanks, Uma Adams')).toBeNull();
  });
});

describe('area: the words that put a place there, misspelt', () => {
  it('reads them one slip away, where the word is no word of its own', () => {
    expect(where('fiber is down again all ovr Texas')).toEqual(tx);
    expect(where('neighbors are down too aross texas, outage?')).toEqual(tx);
    expect(where('No service whatsoever in downotwn San Diego')).toEqual(sd);
    expect(where('mobile data is unusable san diego ara right now')).toEqual(sd);
    expect(where('modem keeps saying no sync whole staet of Texas')).toEqual(tx);
    // "cross", "ever" and "stage" are words; "ovr" reads as "over" only after "all".
    expect(where('I cross Texas every week')).toBeNull();
    expect(where('the stage of Texas politics')).toBeNull();
  });
});

describe('area: ZIP codes', () => {
  it('reads a ZIP code after a town whose name ends like "no"', () => {
    expect(where('Phone says SOS only Fresno 93721')).toEqual(['93721', 'Fresno', 'CA', 'US']);
    expect(where('no service in Reno 89501')?.[0]).toBe('89501');
    expect(where('order no 93721 never came')).toBeNull();
  });
});
