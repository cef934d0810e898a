import { describe, expect, it } from 'vitest';
import { CITIES, complain, MIN, raises, warmed } from './test-fixtures.js';

/*
 * A busier desk has more place-and-topic keys that can reach `minCustomers` by chance, and at one
 * significance level its coincidences grow about in proportion to its volume (outside-style desks
 * of about 6, 65 and 305 complaint episodes an hour: 0, 0.9 and 4.2 false problems a week). So a
 * desk busier than `alphaRate` raises at `alpha` scaled down by its rate. The fixtures' desk runs
 * at about 22 episodes an hour: `alphaRate` 1 makes it a desk 22 times busier than the level's.
 */
function run(alphaRate: number, customers: number) {
  const { det, start } = warmed({ alphaRate });
  const ds = [];
  for (let i = 0; i < customers; i++)
    ds.push(...complain(det, `dl-${i}`, start + i * 8 * MIN, CITIES[2], 'delivery', 'late'));
  return raises(ds).filter((d) => d.topic === 'delivery');
}

describe('problem detector: the significance level of a busy desk', () => {
  it('raises a modest excess at the level, and not when the desk is far busier', () => {
    const quiet = run(0, 7);
    expect(quiet).toHaveLength(1);
    const p = quiet[0].baseline!.pValue;
    // The excess stands out at the level (1e-5), but not 22 times below it.
    expect(p).toBeLessThan(1e-5);
    expect(p).toBeGreaterThan(1e-5 / 22);
    expect(run(1, 7)).toHaveLength(0);
  });

  it('still raises a large excess on the busy desk', () => {
    expect(run(1, 14)).toHaveLength(1);
  });

  it('leaves a desk below the rate as it was', () => {
    const atDefault = run(60, 7);
    expect(atDefault).toHaveLength(1);
    expect(atDefault[0].baseline).toEqual(run(0, 7)[0].baseline);
  });
});
