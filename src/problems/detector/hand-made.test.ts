import { describe, expect, it } from 'vitest';
import { areaChain } from './areas.js';
import { DEFAULT_DETECTOR_CONFIG } from './config.js';
import type { Decision } from './detector.js';
import { CITIES, complain, HOUR, linkedTo, MIN, raises, TOPICS, warmed } from './test-fixtures.js';

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

/*
 * QA desk: a person made a problem from one case, naming neither topic nor place. A burst of
 * complaints sharing a common word ("keep") an hour later was taken by it, not raised: a young
 * problem without place or topic looked like the same trouble to any word burst naming no place.
 * A problem made by hand says what its trouble is only through its complaints' words.
 */
describe('a problem made by hand with neither topic nor place', () => {
  const LINES = [
    'my esim keeps saying expired',
    'esim expired again, keeps asking to reinstall',
    'the esim profile keeps expiring on my phone',
  ];
  const run = () => {
    const { det, start } = warmed({
      text: { ...DEFAULT_DETECTOR_CONFIG.text, warmupMs: 6 * HOUR },
    });
    det.syncProblems([
      {
        id: 'manual-2',
        kind: 'manual',
        status: 'confirmed',
        topic: null,
        areaKey: null,
        keys: [],
        chain: [],
        lastEventAt: start,
        detectedAt: start,
        fixedAt: null,
        human: true,
      },
    ]);
    const out: Decision[] = [];
    for (let i = 0; i < 30; i++)
      out.push(
        ...complain(
          det,
          `es-${i}`,
          start + 20 * MIN + i * MIN,
          null,
          TOPICS[i % TOPICS.length],
          LINES[i % 3],
        ),
      );
    return out;
  };

  it('does not take a word burst of another trouble; that burst is raised as its own', () => {
    const out = run();
    expect(linkedTo(out, 'manual-2').size).toBe(0);
    expect(raises(out).filter((d) => d.kind === 'text')).toHaveLength(1);
  });
});
