import { describe, expect, it } from 'vitest';
import type { Area } from '../../triage/index.js';
import { DEFAULT_DETECTOR_CONFIG } from './config.js';
import { Counts, GLOBAL } from './counts.js';
import { MIN, T0 } from './test-fixtures.js';

const SACRAMENTO: Area = {
  postalCode: null,
  city: 'Sacramento',
  region: 'CA',
  country: 'US',
  confidence: 1,
};
const FRESNO: Area = { ...SACRAMENTO, city: 'Fresno' };
const KEY = 'outage@t:US:CA:sacramento';

/**
 * A young desk: `usual` customers of each of two cities, then `burst` Sacramento outage
 * complainers. The Sacramento outage key's prior share, with and without leaving them out.
 */
function priorAfter(usual: number, burst: number, leaveOwnOut = true) {
  const counts = new Counts({ ...DEFAULT_DETECTOR_CONFIG, leaveOwnOut });
  counts.keyState(GLOBAL, 'area', null, null);
  const ks = counts.keyState(KEY, 'area', 'outage', 't:US:CA:sacramento', 'r:US:CA');
  let at = T0;
  const topics = ['outage', 'billing', 'device', 'network'];
  for (let i = 0; i < usual; i++)
    for (const area of [SACRAMENTO, FRESNO]) {
      at += MIN;
      counts.advance(at);
      counts.observeMessage(`u-${area.city}-${i}`, area);
      counts.countEpisode(topics[i % 4], at, 'r:US:CA');
    }
  for (let i = 0; i < burst; i++) {
    at += MIN;
    counts.advance(at);
    const customerId = `b-${i}`;
    counts.observeMessage(customerId, SACRAMENTO);
    counts.countEpisode('outage', at, 'r:US:CA');
    counts.addEntry(ks, {
      ref: customerId,
      at,
      customerId,
      caseId: null,
      topic: 'outage',
      problemId: null,
      sig: null,
      area: SACRAMENTO,
    });
  }
  return counts.priorOf(ks);
}

describe('a key’s prior on a young desk (key-prior.ts)', () => {
  it('leaves out the complainers of a place first seen in its trouble', () => {
    // Five customers of each city, then forty Sacramento outage complainers: with them, the
    // city looks like 45 of the desk's 50 customers; without most of them, far less.
    const plain = priorAfter(5, 40, false);
    const left = priorAfter(5, 40);
    expect(plain.areaShare).toBeGreaterThan(0.85);
    expect(left.areaShare).toBeLessThan(0.75);
    expect(left.share).toBeLessThan(plain.share * 0.6);
    expect(left.own).toBeGreaterThan(30);
    // Learned from a handful of customers: a wide doubt.
    expect(left.cv2).toBeGreaterThan(0.1);
  });

  it('hardly changes the prior of a place with long history', () => {
    const plain = priorAfter(2000, 40, false);
    const left = priorAfter(2000, 40);
    expect(left.areaShare / plain.areaShare).toBeGreaterThan(0.98);
    expect(left.own).toBeLessThan(2);
    expect(left.cv2).toBeLessThan(0.01);
  });
});
