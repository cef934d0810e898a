import { describe, expect, it } from 'vitest';
import { extractArea } from './area.js';

/** [postalCode, city, region, country] of what triage reads, or null. */
const where = (text: string, location?: string) => {
  const a = extractArea(text, location);
  return a && [a.postalCode, a.city, a.region, a.country];
};

describe('area: Idaho ZIP codes (QA replay D3)', () => {
  it('reads "ID" before a ZIP as the state after a town of Idaho', () => {
    expect(where('wifi dead', 'BOISE, ID 83702')).toEqual(['83702', 'Boise', 'ID', 'US']);
    expect(where('internet down, Boise ID 83702')).toEqual(['83702', 'Boise', 'ID', 'US']);
    expect(where('Pocatello ID 83201 no signal')).toEqual(['83201', 'Pocatello', 'ID', 'US']);
    expect(where('outage at boise id 83702')?.[0]).toBe('83702');
    expect(where('wifi dead', 'IDAHO FALLS, ID 83401')?.[0]).toBe('83401');
  });

  it('still reads an id number as not a ZIP', () => {
    for (const text of [
      'account id 83702',
      'order ID: 83702',
      'my account ID 83702 is locked',
      'Order ID 83702 never shipped',
      'id 83702',
    ])
      expect(where(text), text).toBeNull();
  });
});

describe('area: city nicknames and airport-style codes', () => {
  it('reads them after a place word, as a hashtag, or as a profile', () => {
    const abq = [null, 'Albuquerque', 'NM', 'US'];
    for (const text of ['no signal in ABQ', 'outage in Burque', '#ABQ outage', 'down in abq'])
      expect(where(text), text).toEqual(abq);
    expect(where('wifi dead', 'ABQ')).toEqual(abq);
    expect(where('wifi dead', 'Burque 🌶️')).toEqual(abq);
    expect(where('texts take an hour in TUS')?.[1]).toBe('Tucson');
    expect(where('no service around BUF')?.[1]).toBe('Buffalo');
    expect(where('outage in STL again')?.[1]).toBe('Saint Louis');
    expect(where('internet out in KC')?.[1]).toBe('Kansas City');
    expect(where('calls drop in the Mile High City')?.[1]).toBe('Denver');
  });

  it('does not read them in other words, or in lower case where they are words', () => {
    for (const text of [
      "I'm in LA LA land",
      'I am in LA LA land',
      'la factura no llega, hay un error en la factura',
      'LA FACTURA ESTA MAL',
      'KC said the tech was rude',
      'me and KC are moving',
      'lost at SEA',
      'security at the store is lax',
    ])
      expect(where(text), text).toBeNull();
  });
});

describe('area: places named alone', () => {
  it('reads a town the ZIP data gives one place to, after a word that puts the customer there', () => {
    expect(where('internet out in Las Cruces')).toEqual([null, 'Las Cruces', 'NM', 'US']);
    expect(where('modem blinking orange in Walla Walla')).toEqual([
      null,
      'Walla Walla',
      'WA',
      'US',
    ]);
    expect(where('internet out in Hilo')).toEqual([null, 'Hilo', 'HI', 'US']);
    expect(where('down again here in Providence. Not happy.')?.[1]).toBe('Providence');
    expect(where('lost connection #LasCruces')?.[1]).toBe('Las Cruces');
    // A one-ZIP town only where nothing but a place can follow.
    expect(where('internet is completely down in downtown Marfa')?.[1]).toBe('Marfa');
    expect(where('internet out in Marfa')).toBeNull();
  });

  it('reads "the east side of" a city, a state "all over", and Buffalo where a place is said', () => {
    expect(where('no network on the east side of Tucson')?.[1]).toBe('Tucson');
    expect(where('no network on the east side of tucson')?.[1]).toBe('Tucson');
    expect(where('calls dropping all over New Mexico tonight')).toEqual([null, null, 'NM', 'US']);
    expect(where('down in buffalo since noon')).toEqual([null, 'Buffalo', 'NY', 'US']);
    expect(where('no bars here in Buffalo')?.[1]).toBe('Buffalo');
    expect(where('wifi dead', 'Buffalo')?.[1]).toBe('Buffalo');
  });

  it('leaves names that are shared, words, or a place only with their capital', () => {
    for (const text of [
      'no signal in Springfield',
      'outage in Ely',
      'buffalo wings were cold',
      'we met at Buffalo Wild Wings',
      'in Buffalo Wild Wings again',
      'I ordered buffalo wings in buffalo sauce',
      'The menu in English is wrong',
      'export in Excel fails',
      'available in Spring 2025',
      'my son in Carolina',
      'Visit participating Xfinity Stores across New England',
      // A part of a larger place, not the small town of that name (South Bay, Florida).
      'no signal around South Bay',
      'no signal in South Boston',
      'no internet in hilo',
      'id 83702',
    ])
      expect(where(text), text).toBeNull();
  });

  it('reads the first place of a profile that names two, and leaves a tie', () => {
    expect(where('wifi dead', 'Boise ↔ Denver')?.[1]).toBe('Boise');
    expect(where('wifi dead', 'Spokane → the road')?.[1]).toBe('Spokane');
    expect(where('wifi dead', 'Hilo')?.[1]).toBe('Hilo');
    // Roswell, Georgia and Roswell, New Mexico have as many ZIP codes each.
    expect(where('wifi dead', 'Roswell')).toBeNull();
    expect(where('wifi dead', 'the Rock')).toBeNull();
  });
});
