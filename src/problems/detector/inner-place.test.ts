import { describe, expect, it } from 'vitest';
import type { DetectorParts } from './book.js';
import { innerPlace } from './inner-place.js';
import { CITIES, complain, MIN, warmed } from './test-fixtures.js';
import type { ProblemView } from './types.js';

/*
 * `innerPlace` (inner-place.ts): a young country-wide problem that owns its topic's key of a place, when
 * a wider place's excess stands out, settles on that place if the excess's complainers naming a
 * place are there far more than the place's usual share. Outside-style desk overlap: San
 * Francisco's outage, raised country-wide, was moved to California by the state's group key and
 * took Oakland's network trouble. (The fixtures have one city a state, so the wider place here is
 * the country; the branch of `testAreaKey` that calls it is measured on that desk, TUNING.md.)
 */

const SF = CITIES[0];
const SF_KEY = 't:US:CA:san francisco';

function setUp(sfShare: number) {
  const { det, start } = warmed();
  // Forty complaints in forty minutes, naming San Francisco or one of the other five cities.
  for (let i = 0; i < 40; i++) {
    const area = i < 40 * sfShare ? SF : CITIES[1 + (i % 5)];
    complain(det, `c-${i}`, start + i * MIN, area, 'network', 'no signal at all on my phone');
  }
  const parts = (det as unknown as { parts: DetectorParts }).parts;
  const p: ProblemView = {
    id: 'p1',
    kind: 'area',
    status: 'suspected',
    topic: 'network',
    areaKey: 'all',
    keys: ['network@all', `network@${SF_KEY}`],
    chain: ['all'],
    lastEventAt: start + 40 * MIN,
    detectedAt: start + 10 * MIN,
    fixedAt: null,
    human: false,
  };
  const ks = parts.counts.keys.get('network@all')!;
  return innerPlace(parts, p, 'all', ks);
}

describe('problem detector: a country-wide problem’s own place inside a wider excess', () => {
  it('is where the wider excess concentrates', () => {
    expect(setUp(0.6)?.place).toBe(SF_KEY);
  });

  it('is not, when the wider excess holds the place only at its usual share', () => {
    // One in six: San Francisco's share of the fixtures' six cities.
    expect(setUp(1 / 6)).toBeNull();
  });
});
