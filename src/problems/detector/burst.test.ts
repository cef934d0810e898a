import { describe, expect, it } from 'vitest';
import type { Area } from '../../triage/index.js';
import { type Decision, Detector } from './detector.js';
import {
  background,
  CITIES,
  complain,
  HOUR,
  linkedTo,
  MIN,
  type Planned,
  raises,
  replay,
  T0,
  warmed,
} from './test-fixtures.js';

/*
 * Issue 6, QA: a burst with no other traffic around it in its key's window (a city that is
 * otherwise quiet, a quiet hour) is raised like one during busy hours; and a local problem that
 * takes its topic's country-wide key does not take another city's burst with it.
 */

const DENVER: Area = {
  postalCode: null,
  city: 'Denver',
  region: 'CO',
  country: 'US',
  confidence: 1,
};
const SAN_FRANCISCO = CITIES[0];

/** `n` Denver customers, one every `gapMs` from `from`, each saying the service is down. */
function denverBurst(det: ReturnType<typeof warmed>['det'], from: number, n = 40, gapMs = 10_600) {
  const out: Decision[] = [];
  for (let i = 0; i < n; i++)
    out.push(
      ...complain(det, `den-${i}`, from + i * gapMs, DENVER, 'outage', 'no service in denver'),
    );
  return out;
}

describe('problem detector: a burst alone in its window', () => {
  it('raises 40 customers of a quiet city within 7 minutes during the burst', () => {
    const { det, start } = warmed();
    // 03:00 the next night: nothing else of Denver in any window.
    const from = start + 3 * HOUR;
    const out = denverBurst(det, from);
    const r = raises(out);
    expect(r).toHaveLength(1);
    expect(r[0].topic).toBe('outage');
    expect(r[0].area?.city).toBe('Denver');
    // Within minutes, before the burst is over (it lasts 7 minutes).
    expect(r[0].at - from).toBeLessThanOrEqual(7 * MIN);
    expect(linkedTo(out, r[0].problemId).size).toBe(40);
  });

  it('still takes a handful of customers within a few minutes for a blip', () => {
    const { det, start } = warmed();
    const out = denverBurst(det, start + 3 * HOUR, 8, 20_000);
    expect(raises(out)).toEqual([]);
  });
});

describe('problem detector: a desk with no history yet', () => {
  it('raises a city burst that outnumbers the rest of its traffic, and links all of it', () => {
    const det = new Detector();
    const from = T0 + 18 * HOUR;
    const out = denverBurst(det, from, 200, 3_000);
    const r = raises(out);
    expect(r).toHaveLength(1);
    expect(r[0].area?.city).toBe('Denver');
    expect(r[0].at - from).toBeLessThanOrEqual(8 * MIN);
    expect(linkedTo(out, r[0].problemId).size).toBe(200);
  });

  it('raises nothing on its first hours of ordinary background', () => {
    const det = new Detector();
    const out: Decision[] = [];
    background(det, T0 + 12 * HOUR, T0 + 18 * HOUR, out);
    expect(raises(out)).toEqual([]);
  });
});

describe('problem detector: a country-wide key a local problem takes', () => {
  it('links the complainers its place explains, not another city burst', () => {
    // Five-minute buckets a burst must outlast are made 15 here, so Denver's seven minutes are
    // a blip to its own keys and only the country-wide outage key shows them: this is that
    // key's rule alone.
    const { det, start } = warmed({ bucketMs: 15 * MIN });
    const plan: Planned[] = [];
    // San Francisco loses service for 5 hours (a customer every 4 minutes), the last 20 minutes
    // of it half naming no place.
    for (let i = 0; i < 75; i++)
      plan.push({ id: `sf-${i}`, at: start + i * 4 * MIN, area: SAN_FRANCISCO, topic: 'outage' });
    for (let i = 0; i < 20; i++)
      plan.push({
        id: `sf-late-${i}`,
        at: start + 4 * HOUR + 10 * MIN + i * MIN,
        area: i % 2 ? null : SAN_FRANCISCO,
        topic: 'outage',
      });
    // The odd outage elsewhere, as on any day: the country-wide key's complainers then span
    // the hour, so that key is tested as persistent once Denver's burst lifts it.
    for (let i = 0; i < 22; i++)
      plan.push({
        id: `else-${i}`,
        at: start + 3 * HOUR + i * 4 * MIN + 30_000,
        area: CITIES[1 + (i % 5)],
        topic: 'outage',
      });
    for (let i = 0; i < 40; i++)
      plan.push({
        id: `den-${i}`,
        at: start + 4 * HOUR + i * 10_600,
        area: DENVER,
        topic: 'outage',
      });
    const out = replay(det, plan).flatMap((e) => e.ds);
    const problem = raises(out)[0];
    expect(problem.area?.city).toBe('San Francisco');
    const took = out.some(
      (d) => d.type === 'own' && d.problemId === problem.problemId && d.key === 'outage@all',
    );
    const linked = [...linkedTo(out, problem.problemId)];
    // San Francisco does not take the country-wide key for Denver's excess: its complainers
    // there are mostly its own place's, which its city's key counts (`placeOnly`); and none of
    // Denver's customers, nor the odd ones elsewhere, join it otherwise.
    expect(took).toBe(false);
    expect(linked.filter((c) => c.startsWith('den-') || c.startsWith('else-'))).toEqual([]);
    expect(linked.filter((c) => c.startsWith('sf-late-')).length).toBeGreaterThan(0);
  });
});
