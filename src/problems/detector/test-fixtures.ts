import type { Area } from '../../triage/index.js';

/** The detector tests' shared world: six cities (Austin the only Texan one) and their topics. */
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const T0 = Date.UTC(2025, 2, 3);
export const CITIES: Area[] = [
  { postalCode: '94110', city: 'San Francisco', region: 'CA', country: 'US', confidence: 1 },
  { postalCode: '60630', city: 'Chicago', region: 'IL', country: 'US', confidence: 1 },
  { postalCode: '78701', city: 'Austin', region: 'TX', country: 'US', confidence: 1 },
  { postalCode: '10001', city: 'New York', region: 'NY', country: 'US', confidence: 1 },
  { postalCode: '30301', city: 'Atlanta', region: 'GA', country: 'US', confidence: 1 },
  { postalCode: '98101', city: 'Seattle', region: 'WA', country: 'US', confidence: 1 },
];
export const TOPICS = ['network', 'billing', 'device', 'account', 'delivery', 'service'];

/** A seeded generator (the same sequence every run), so backgrounds are deterministic. */
export function seeded(seed = 7): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}
