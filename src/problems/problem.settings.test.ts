import { describe, expect, it } from 'vitest';
import { areaPhrase, bodySentence, etaPhrase, saveProblemSettings } from './problem.settings.js';

const NOW = Date.parse('2026-12-02T09:00:00Z');

describe('what customer-facing templates say', () => {
  it('an ETA today is a time; another day carries its date; a fixed problem has none', () => {
    expect(etaPhrase(Date.parse('2026-12-02T15:30:00Z'), NOW, 'fixing')).toBe(
      ' We expect it fixed by 15:30 UTC.',
    );
    expect(etaPhrase(Date.parse('2026-12-05T15:30:00Z'), NOW, 'fixing')).toBe(
      ' We expect it fixed by Sat 5 Dec, 15:30 UTC.',
    );
    expect(etaPhrase(Date.parse('2026-12-02T15:30:00Z'), NOW, 'fixed')).toBe('');
    expect(etaPhrase(null, NOW, 'confirmed')).toBe('');
  });

  it("the agent's text is a sentence of its own before what the template says next", () => {
    expect(bodySentence('Crews are on it')).toBe('Crews are on it.');
    expect(bodySentence(' Crews are on it  ')).toBe('Crews are on it.');
    for (const done of ['Crews are on it.', 'Fixed!', 'Back soon?', 'See "status page."', 'Wait…'])
      expect(bodySentence(done)).toBe(done);
    expect(bodySentence('')).toBe('');
    expect(bodySentence(undefined)).toBe('');
  });

  it('the area reads as a place, or "your area" when the problem has none', () => {
    const area = (a: object) => areaPhrase(JSON.stringify(a));
    expect(area({ postalCode: '94110', city: 'San Francisco', region: 'CA', country: 'US' })).toBe(
      'San Francisco, CA (94110)',
    );
    expect(area({ postalCode: null, city: null, region: 'TX', country: 'US' })).toBe('TX');
    expect(area({ postalCode: null, city: null, region: null, country: 'US' })).toBe('US');
    expect(areaPhrase(null)).toBe('your area');
  });

  it('a template with a placeholder we do not fill is refused before any customer sees it', async () => {
    // Refused before the database is touched.
    const db = null as never;
    await expect(
      saveProblemSettings(
        db,
        'ws',
        { acknowledgementTemplate: 'We know ({title}) in {city}.' },
        NOW,
      ),
    ).rejects.toThrow(/unknown placeholder \{city\}/);
  });
});
