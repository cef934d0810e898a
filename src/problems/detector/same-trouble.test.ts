import { describe, expect, it } from 'vitest';
import { areaChain } from './areas.js';
import type { DetectorParts } from './book.js';
import { sameTrouble } from './same-trouble.js';
import { CITIES, HOUR, MIN, warmed } from './test-fixtures.js';

const AUSTIN = CITIES[2];
const TEXAS = { postalCode: null, city: null, region: 'TX', country: 'US' };

/**
 * Past a live problem's first hours, an excess concentrated in a smaller place inside its place
 * began on its own when it has a topic (a state's trouble does not gather later in one of its
 * cities). A burst of words (no topic) is not held to that: its place is only where most of its
 * few placed members live, and a state's complainers mostly live in its big city. On the
 * real-text evaluation such bursts of a live state problem's trouble opened second problems.
 */
describe('a later excess inside a live problem’s place', () => {
  const world = () => {
    const { det, start } = warmed();
    const chain = areaChain(TEXAS);
    det.syncProblems([
      {
        id: 'texas',
        kind: 'area',
        status: 'suspected',
        topic: 'network',
        areaKey: chain[0],
        keys: [`network@${chain[0]}`],
        chain,
        lastEventAt: start - 30 * MIN,
        detectedAt: start - 5 * HOUR,
        fixedAt: null,
        human: false,
      },
    ]);
    return (det as unknown as { parts: DetectorParts }).parts;
  };

  it('a word burst in one of its cities is its trouble', () => {
    expect(sameTrouble(world(), areaChain(AUSTIN), null)?.id).toBe('texas');
  });

  it('a topic’s excess in one of its cities began on its own', () => {
    expect(sameTrouble(world(), areaChain(AUSTIN), 'network')).toBeNull();
  });
});
