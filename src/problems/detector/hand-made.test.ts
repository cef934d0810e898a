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
