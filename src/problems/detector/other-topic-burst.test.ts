import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTOR_CONFIG } from './config.js';
import { CITIES, linkedTo, MIN, type Planned, raises, replay, warmed } from './test-fixtures.js';

/*
 * Simulator seed 10: a country-wide double billing was raised (`billing@all`); twenty minutes
 * later picture messages began to fail across the country ("plain texts work fine"), a trouble no
 * topic names, filed by triage under network, outage and service. Its word bursts ("plain",
 * "picture", "group") joined the billing problem as that trouble's other words (`sameTrouble`
 * takes any burst beside a young country-wide problem), so it was never raised and its customers
 * would have been told the billing error was fixed. A burst filed almost all under topics
 * unrelated to the problem's is another trouble; one of the problem's own topic still joins it.
 */
const PICTURES = [
  'picture messages fail to send, plain texts work fine',
  'every picture I text bounces back undelivered, plain texts go through',
  'photos in group texts fail to send, plain texts work fine',
];
function run(topics = ['network', 'network', 'outage', 'service']) {
  const { det, start } = warmed({
    text: { ...DEFAULT_DETECTOR_CONFIG.text, warmupMs: 6 * 60 * MIN },
  });
  // The billing error: 90 customers naming no place, one every 30 seconds for 45 minutes; from
  // its twentieth minute, the picture messages, from everywhere, fed in event-time order.
  const planned: Planned[] = [];
  for (let i = 0; i < 90; i++)
    planned.push({
      id: `bill-${i}`,
      at: start + i * 30_000,
      area: null,
      topic: 'billing',
      text: `charged twice on my card today for the same bill ${i % 3 ? 'again' : ''}`,
    });
  for (let i = 0; i < 40; i++)
    planned.push({
      id: `pic-${i}`,
      at: start + 20 * MIN + i * 45_000,
      area: i % 3 === 0 ? null : CITIES[i % CITIES.length],
      topic: topics[i % topics.length],
      text: PICTURES[i % PICTURES.length],
    });
  const ds = replay(det, planned).flatMap((r) => r.ds);
  const bill = raises(ds).filter((d) => d.topic === 'billing');
  const pictureCustomers = (problemId: string) =>
    [...linkedTo(ds, problemId)].filter((c) => c.startsWith('pic-')).length;
  return { ds, bill, pictureCustomers };
}

describe('problem detector: a word burst of unrelated topics beside a country-wide problem', () => {
  it('is raised as its own trouble, not taken by the billing error', () => {
    const { ds, bill, pictureCustomers } = run();
    expect(bill).toHaveLength(1);
    expect(bill[0].areaKey).toBe('all');
    // Before: all 40 went to the billing problem (its `own` of "plain" and "picture").
    expect(pictureCustomers(bill[0].problemId)).toBeLessThanOrEqual(2);
    const text = raises(ds).filter((d) => d.kind === 'text');
    expect(text).toHaveLength(1);
    expect(pictureCustomers(text[0].problemId)).toBeGreaterThanOrEqual(30);
  });

  it('still joins a burst filed under the problem’s topics to it', () => {
    // The same words filed under billing and account (triage's billing group): the trouble's.
    const { ds, bill, pictureCustomers } = run(['billing', 'account', 'billing']);
    expect(bill).toHaveLength(1);
    expect(raises(ds)).toHaveLength(1);
    expect(pictureCustomers(bill[0].problemId)).toBeGreaterThanOrEqual(30);
  });
});
