import { describe, expect, it } from 'vitest';
import { extractArea } from './area.js';
import { findCity, gaz } from './area-gazetteer.js';

/** The area as [postalCode, city, region, country], from the text and the author's location. */
const where = (text: string, location?: string) => {
  const a = extractArea(text, location);
  return a && [a.postalCode, a.city, a.region, a.country];
};

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
