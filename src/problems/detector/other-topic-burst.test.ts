import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTOR_CONFIG } from './config.js';
import type { Decision } from './detector.js';
import { CITIES, complain, linkedTo, MIN, raises, warmed } from './test-fixtures.js';

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
  const { det, out, start } = warmed({
    text: { ...DEFAULT_DETECTOR_CONFIG.text, warmupMs: 6 * 60 * MIN },
  });
  // The billing error: 60 customers naming no place in 30 minutes, then a few more.
  const billing: Decision[] = [];
  for (let i = 0; i < 90; i++)
    billing.push(
      ...complain(
        det,
        `bill-${i}`,
        start + i * 30_000,
        null,
        'billing',
        `charged twice on my card today for the same bill ${i % 3 ? 'again' : ''}`,
      ),
    );
  // Then the picture messages, from everywhere, while the billing error goes on.
  const pictures: Decision[] = [];
  for (let i = 0; i < 40; i++)
    pictures.push(
      ...complain(
        det,
        `pic-${i}`,
        start + 20 * MIN + i * 45_000,
        i % 3 === 0 ? null : CITIES[i % CITIES.length],
        topics[i % topics.length],
        PICTURES[i % PICTURES.length],
      ),
    );
  return { out, billing, pictures };
}

describe('problem detector: a word burst of unrelated topics beside a country-wide problem', () => {
  it('is raised as its own trouble, not taken by the billing error', () => {
    const { billing, pictures } = run();
    const bill = raises(billing).filter((d) => d.topic === 'billing');
    expect(bill).toHaveLength(1);
    expect(bill[0].areaKey).toBe('all');
    const taken = [...linkedTo(pictures, bill[0].problemId)].filter((c) => c.startsWith('pic-'));
    // Before: all 40 went to the billing problem (its `own` of "plain" and "picture").
    expect(taken.length).toBeLessThanOrEqual(2);
    const text = raises(pictures).filter((d) => d.kind === 'text');
    expect(text).toHaveLength(1);
    const theirs = [...linkedTo(pictures, text[0].problemId)].filter((c) => c.startsWith('pic-'));
    expect(theirs.length).toBeGreaterThanOrEqual(30);
  });

  it('still joins a burst filed under the problem’s topics to it', () => {
    // The same words filed under billing and account (triage's billing group): the trouble's.
    const { billing, pictures } = run(['billing', 'account', 'billing']);
    const bill = raises(billing).filter((d) => d.topic === 'billing');
    expect(bill).toHaveLength(1);
    expect(raises(pictures)).toHaveLength(0);
    const taken = [...linkedTo(pictures, bill[0].problemId)].filter((c) => c.startsWith('pic-'));
    expect(taken.length).toBeGreaterThanOrEqual(30);
  });
});
