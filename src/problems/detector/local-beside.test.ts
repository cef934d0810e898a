import { describe, expect, it } from 'vitest';
import type { Area } from '../../triage/index.js';
import type { Decision } from './detector.js';
import { CITIES, complain, linkedTo, MIN, raises, warmed } from './test-fixtures.js';

/*
 * Simulator seed 6: a country-wide slowdown of data (network, 116 customers) was raised as
 * "network — US"; twenty minutes later a Miami outage (435 customers) began, and its first excess,
 * the country's outage count (its customers naming no place), joined the young country-wide
 * problem as the same trouble under a confused topic. The problem then took Miami's keys, moved
 * to Miami and became an outage: the slowdown was missed. A local excess of another topic beside
 * a young country-wide problem is its trouble only where the problem's own complainers gather.
 */

const SEATTLE = CITIES[5];

describe('problem detector: a local trouble beside a young country-wide one', () => {
  it('is a problem of its own, and the country-wide problem keeps its topic and place', () => {
    const { det, start } = warmed();
    const events: { at: number; id: string; area: Area | null; topic: string; text: string }[] = [];
    // The slowdown: a customer every 90 s for two hours, in the five other cities in turn, a
    // third naming none (a real desk's country-wide trouble shows in a few of its many cities). Seattle's outage from 40 minutes in: two customers a minute for 30 minutes, half
    // naming Seattle.
    for (let i = 0; i < 80; i++)
      events.push({
        at: start + i * 90_000,
        id: `slow-${i}`,
        area: i % 3 === 0 ? null : CITIES[i % 5],
        topic: 'network',
        text: 'data is so slow today',
      });
    for (let i = 0; i < 60; i++)
      events.push({
        at: start + 40 * MIN + i * 30_000,
        id: `sea-${i}`,
        area: i % 2 === 0 ? SEATTLE : null,
        topic: 'outage',
        text: 'no internet no tv whole street is out',
      });
    events.sort((a, b) => a.at - b.at);
    const out: Decision[] = [];
    for (const e of events) out.push(...complain(det, e.id, e.at, e.area, e.topic, e.text));
    out.push(...det.tick());
    const raised = raises(out);
    const country = raised.find((d) => d.topic === 'network' && d.areaKey === 'all');
    expect(country, 'the slowdown raised country-wide').toBeDefined();
    const seattle = raised.find((d) => d.problemId !== country!.problemId);
    expect(seattle, "Seattle's outage raised on its own").toBeDefined();
    // Seattle's outage is shown in Seattle (its raise or a refine), and holds Seattle's customers.
    const refined = out.filter(
      (d): d is Extract<Decision, { type: 'refine' }> =>
        d.type === 'refine' && d.problemId === seattle!.problemId,
    );
    const city = refined.at(-1)?.area?.city ?? seattle!.area?.city;
    expect(city).toBe('Seattle');
    const took = [...linkedTo(out, seattle!.problemId)].filter((c) => c.startsWith('sea-'));
    expect(took.length).toBeGreaterThanOrEqual(25);
    // The country-wide problem was never moved to Seattle nor renamed an outage.
    expect(
      out.some(
        (d) => (d.type === 'refine' || d.type === 'retopic') && d.problemId === country!.problemId,
      ),
    ).toBe(false);
  });
});
