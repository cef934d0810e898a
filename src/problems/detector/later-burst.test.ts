import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTOR_CONFIG } from './config.js';
import type { Decision } from './detector.js';
import { CITIES, complain, HOUR, linkedTo, MIN, raises, warmed } from './test-fixtures.js';

/*
 * Outside-style set, fresh draw b (desk mid-1): a Dallas network problem, eight hours old and
 * still drawing stragglers, took a word burst of a Texas double billing ("charged twice") that
 * began after its trouble ended: `sameTrouble` let any word burst of its place join it. The
 * burst's cases then outvoted its own, and the problem was retitled billing. A later burst filed
 * mostly (two thirds) under topics unrelated to a live problem's is another trouble; one filed
 * under the problem's topics still joins it.
 */
const AUSTIN = CITIES[2];

function run(burstTopic: string) {
  const { det, start } = warmed({ text: { ...DEFAULT_DETECTOR_CONFIG.text, warmupMs: 6 * HOUR } });
  const ds: Decision[] = [];
  // The network trouble: 16 customers in 32 minutes, then a straggler every 20 minutes.
  for (let i = 0; i < 16; i++)
    ds.push(...complain(det, `net-${i}`, start + i * 2 * MIN, AUSTIN, 'network', 'zero bars'));
  for (let i = 0; i < 24; i++)
    ds.push(
      ...complain(det, `late-${i}`, start + HOUR + i * 20 * MIN, i % 2 ? AUSTIN : null, 'network'),
    );
  // Eight hours in: 24 customers charged twice within 40 minutes, a third naming Austin, a fifth
  // filed under outage.
  const from = start + 8 * HOUR + 10 * MIN;
  for (let i = 0; i < 24; i++)
    ds.push(
      ...complain(
        det,
        `twice-${i}`,
        from + i * 100_000,
        i % 3 === 0 ? AUSTIN : null,
        // (Triage files a few under outage: "charged twice" read as trouble of service.)
        i % 5 === 4 ? 'outage' : burstTopic,
        `charged twice for the same bill this month ${i % 2 ? 'again' : 'seriously'}`,
      ),
    );
  const network = raises(ds).filter((d) => d.topic === 'network');
  const twice = (id: string) => [...linkedTo(ds, id)].filter((c) => c.startsWith('twice-')).length;
  return { ds, network, twice };
}

describe('problem detector: a later word burst in a live problem’s place', () => {
  it('of an unrelated topic is not that problem’s, nor does it retitle it', () => {
    const { ds, network, twice } = run('billing');
    expect(network).toHaveLength(1);
    const id = network[0].problemId;
    // Without the rule: all 24 joined the network problem.
    expect(twice(id)).toBeLessThanOrEqual(2);
    expect(ds.some((d) => d.type === 'retopic' && d.problemId === id)).toBe(false);
    // The double billing is a trouble of its own: some other problem holds most of it.
    const others = raises(ds).filter((d) => d.problemId !== id);
    expect(Math.max(0, ...others.map((d) => twice(d.problemId)))).toBeGreaterThanOrEqual(12);
  });

  it('of the problem’s own topic still joins it', () => {
    const { ds, network, twice } = run('network');
    expect(network).toHaveLength(1);
    expect(raises(ds).filter((d) => d.kind === 'text')).toHaveLength(0);
    expect(twice(network[0].problemId)).toBeGreaterThanOrEqual(12);
  });
});
