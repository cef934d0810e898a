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
