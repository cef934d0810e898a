import { describe, expect, it } from 'vitest';
import type { Decision } from './detector.js';
import { CITIES, complain, HOUR, linkedTo, MIN, raises, warmed } from './test-fixtures.js';

const AUSTIN = CITIES[2];

/*
 * Simulator seed 12: a Portland network trouble was raised at midnight and its stragglers kept
 * it live all morning. At 13:15 a Portland ZIP lost service (126 customers, filed mostly as
 * outage). Its first complaints joined the old problem through the place's network-and-outage
 * key, and when the outage excess stood out the old problem took it as "the same trouble"
 * (`sameTrouble`: its last complaint was recent), though no network excess was left there. A
 * related topic standing out where an old problem's own topic has no excess left is another
 * trouble; the problem's own topic coming back is still its own.
 */
function run(outageTopic: string) {
  const { det, out, start } = warmed();
  // The network trouble: 30 customers in 30 minutes, then a straggler every half hour.
  for (let i = 0; i < 30; i++)
    out.push(...complain(det, `net-${i}`, start + i * MIN, AUSTIN, 'network', 'no signal'));
  for (let i = 0; i < 6; i++)
    out.push(
      ...complain(det, `tail-${i}`, start + 30 * MIN + i * 30 * MIN, AUSTIN, 'network', 'x'),
    );
  // Six hours on, the old problem still live, an outage there: 30 customers in 30 minutes.
  const later: Decision[] = [];
  for (let i = 0; i < 30; i++)
    later.push(
      ...complain(det, `out-${i}`, start + 6 * HOUR + i * MIN, AUSTIN, outageTopic, 'no service'),
    );
  return { network: raises(out), later };
}

describe('problem detector: a later trouble of a related topic in an old problem’s place', () => {
  it('is raised as its own problem when the old problem’s own topic has no excess left there', () => {
    const { network, later } = run('outage');
    expect(network).toHaveLength(1);
    expect(network[0].topic).toBe('network');
    const outage = raises(later).filter((d) => d.topic === 'outage');
    // Before: no raise; the network problem took the outage (`own`).
    expect(outage).toHaveLength(1);
    expect(outage[0].area?.city).toBe('Austin');
    const theirs = [...linkedTo(later, outage[0].problemId)];
    expect(theirs.length).toBeGreaterThanOrEqual(20);
  });

  it('still goes to the old problem when it is that problem’s own topic again', () => {
    const { network, later } = run('network');
    expect(raises(later)).toHaveLength(0);
    const took = [...linkedTo(later, network[0].problemId)].filter((c) => c.startsWith('out-'));
    expect(took.length).toBeGreaterThanOrEqual(25);
  });
});
