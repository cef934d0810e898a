import { describe, expect, it } from 'vitest';
import { areaChain } from './areas.js';
import type { Decision } from './detector.js';
import { CITIES, complain, HOUR, linkedTo, MIN, raises, warmed } from './test-fixtures.js';

const CHICAGO = CITIES[1];
const CITY = { ...CHICAGO, postalCode: null };

/**
 * A problem a person made by hand for a trouble of a topic and place (`POST /api/v1/problems`
 * from one case) is that trouble's problem: its complaints join it, and the detector does not
 * open a second problem beside it. Made from a case written hours before, it is still the
 * trouble's: the person made it for the complaints that follow.
 */
describe('a problem made by hand with a topic and a place', () => {
  const handMade = (det: ReturnType<typeof warmed>['det'], at: number) => {
    const areaKey = areaChain(CITY)[0];
    det.syncProblems([
      {
        id: 'manual-1',
        kind: 'manual',
        status: 'confirmed',
        topic: 'network',
        areaKey,
        keys: [`network@${areaKey}`],
        chain: areaChain(CITY),
        lastEventAt: at,
        detectedAt: at,
        fixedAt: null,
        human: true,
      },
    ]);
  };
  const burst = (det: ReturnType<typeof warmed>['det'], from: number, n: number, tag: string) => {
    const out: Decision[] = [];
    for (let i = 0; i < n; i++)
      out.push(
        ...complain(
          det,
          `${tag}-${i}`,
          from + i * 2 * MIN,
          i % 3 ? CITY : null,
          'network',
          'no signal',
        ),
      );
    return out;
  };

  it('draws the complaints of its trouble, with no second problem', () => {
    const { det, start } = warmed();
    // Made from a case whose customer wrote eight hours before.
    handMade(det, start - 8 * HOUR);
    const out = burst(det, start, 15, 'chi');
    expect(raises(out)).toHaveLength(0);
    // The placed ones at least (10 of 15); those naming no place only by its excess.
    expect(linkedTo(out, 'manual-1').size).toBeGreaterThanOrEqual(10);
  });

  it('does not draw the ordinary complaints of its place while nothing is in excess', () => {
    const { det, start } = warmed();
    handMade(det, start);
    const out: Decision[] = [];
    for (let i = 0; i < 3; i++)
      out.push(...complain(det, `one-${i}`, start + i * 3 * HOUR, CITY, 'network', 'no signal'));
    expect(linkedTo(out, 'manual-1').size).toBe(0);
  });
});

/**
 * QA: an agent made a "delivery" problem by hand with no place ("installers not showing up").
 * It had no key, so the delivery complaints that followed from every city drew nothing to it and
 * the detector raised its own country-wide problem beside it.
 */
describe('a problem made by hand with a topic and no place', () => {
  const handMade = (det: ReturnType<typeof warmed>['det'], at: number) =>
    det.syncProblems([
      {
        id: 'manual-2',
        kind: 'manual',
        status: 'confirmed',
        topic: 'delivery',
        areaKey: 'all',
        keys: ['delivery@all'],
        chain: ['all'],
        lastEventAt: at,
        detectedAt: at,
        fixedAt: null,
        human: true,
      },
    ]);

  it('draws its topic country-wide once it stands out, with no second problem', () => {
    const { det, start } = warmed();
    handMade(det, start - 2 * HOUR);
    const out: Decision[] = [];
    for (let i = 0; i < 30; i++)
      out.push(
        ...complain(
          det,
          `inst-${i}`,
          start + i * MIN,
          i % 2 ? CITIES[i % CITIES.length] : null,
          'delivery',
          'the installer never showed up',
        ),
      );
    expect(raises(out)).toHaveLength(0);
    expect(linkedTo(out, 'manual-2').size).toBeGreaterThanOrEqual(20);
  });

  it('leaves the ordinary complaints of its topic alone', () => {
    const { det, start } = warmed();
    handMade(det, start);
    const out: Decision[] = [];
    for (let i = 0; i < 4; i++)
      out.push(...complain(det, `one-${i}`, start + i * 2 * HOUR, CITIES[i], 'delivery'));
    expect(linkedTo(out, 'manual-2').size).toBe(0);
  });
});
