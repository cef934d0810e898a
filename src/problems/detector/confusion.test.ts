import { describe, expect, it } from 'vitest';
import type { Decision } from './detector.js';
import { CITIES, complain, MIN, raises, warmed } from './test-fixtures.js';

const AUSTIN = CITIES[2];
const TEXAS = { postalCode: null, city: null, region: 'TX', country: 'US', confidence: 1 };

/**
 * A Texas device trouble (complaints naming only the state) that thins out, then, six hours
 * in, a support-line failure in Austin: `service` complaints, a topic of the device problem's
 * group. `confusionRatio` 0 is the rule off (a related topic there is always confusion).
 */
function run(confusionRatio?: number) {
  const { det, out, start } = warmed(confusionRatio === undefined ? {} : { confusionRatio });
  const device = 'my phone keeps restarting';
  for (let i = 0; i < 40; i++)
    out.push(
      ...complain(det, `d-${i}`, start + i * 2 * MIN, TEXAS, 'device', device),
      ...det.tick(),
    );
  for (let i = 0; i < 4; i++)
    out.push(
      ...complain(det, `t-${i}`, start + 90 * MIN + i * 80 * MIN, TEXAS, 'device', device),
      ...det.tick(),
    );
  const [first] = raises(out);
  const later: Decision[] = [];
  for (let i = 0; i < 30; i++)
    later.push(
      ...complain(
        det,
        `s-${i}`,
        start + 360 * MIN + i * 2 * MIN,
        AUSTIN,
        'service',
        'cannot reach your support line',
      ),
      ...det.tick(),
    );
  const toFirst = later.filter((d) => d.type === 'link' && d.problemId === first.problemId);
  return { first, out, later, toFirst: toFirst.length };
}

describe('a related topic next to a live problem', () => {
  it('a new trouble whose excess outgrows the problem’s own there is a problem of its own', () => {
    const { first, later, toFirst } = run();
    expect(first).toMatchObject({ topic: 'device', area: { region: 'TX', city: null } });
    const second = raises(later);
    expect(second).toHaveLength(1);
    expect(second[0]).toMatchObject({ topic: 'service', area: { city: 'Austin' } });
    const linked = later.filter((d) => d.type === 'link' && d.problemId === second[0].problemId);
    expect(linked.length).toBeGreaterThanOrEqual(28);
    expect(toFirst).toBe(0);
  });

  it('with the rule off the device problem takes it, complaint by complaint (what it did)', () => {
    const { later, toFirst } = run(0);
    expect(raises(later)).toHaveLength(0);
    expect(toFirst).toBe(30);
  });

  it('triage’s confusion around a trouble stays with it', () => {
    // Every fourth complaint of a burst of Austin device trouble filed as `service`.
    const { det, out, start } = warmed();
    for (let i = 0; i < 40; i++)
      out.push(
        ...complain(det, `d-${i}`, start + i * 2 * MIN, AUSTIN, i % 4 === 0 ? 'service' : 'device'),
        ...det.tick(),
      );
    const raised = raises(out);
    expect(raised.map((r) => r.topic)).toEqual(['device']);
    const members = out.filter((d) => d.type === 'link' && d.problemId === raised[0].problemId);
    const confused = members.filter(
      (d) => d.type === 'link' && Number(d.member.customerId.slice(2)) % 4 === 0,
    );
    expect(confused.length).toBeGreaterThanOrEqual(8);
  });
});
