import { describe, expect, it } from 'vitest';
import type { Area } from '../../triage/index.js';
import { AreaPrior } from './area-prior.js';

const place = (postalCode: string, city: string): Area => ({
  postalCode,
  city,
  region: 'CA',
  country: 'US',
  confidence: 1,
});
const SF = 't:US:CA:san francisco';

describe('the area prior takes back the customers a problem explains', () => {
  it('and does not count them again when they write once more', () => {
    const prior = new AreaPrior();
    // Ten ordinary customers, one per ZIP of the city.
    for (let i = 0; i < 10; i++)
      prior.observe(`bg-${i}`, place(String(94100 + i), 'San Francisco'));
    const before = prior.shareWithin('p:US:94110', SF);
    // Forty customers of one ZIP complain; a problem explains each complaint.
    for (let i = 0; i < 40; i++) {
      prior.observe(`out-${i}`, place('94110', 'San Francisco'));
      prior.forget(`out-${i}`, prior.take(`out-${i}`)!);
    }
    expect(prior.shareWithin('p:US:94110', SF)).toBeCloseTo(before, 6);
    // Their follow-ups ("any update?") are messages of customers already counted there.
    for (let i = 0; i < 40; i++) prior.observe(`out-${i}`, place('94110', 'San Francisco'));
    expect(prior.shareWithin('p:US:94110', SF)).toBeCloseTo(before, 6);
    expect(prior.share(SF)).toBeCloseTo((10 + 0.5) / (10 + 1), 6);
    // Forgetting twice takes nothing more.
    prior.observe('out-0', place('94110', 'San Francisco'));
    prior.forget('out-0', { areas: ['p:US:94110', SF, 'r:US:CA'], customer: true });
    expect(prior.shareWithin('p:US:94110', SF)).toBeCloseTo(before, 6);
  });
});
