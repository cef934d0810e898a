import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTOR_CONFIG } from './config.js';
import { type Decision, Detector } from './detector.js';
import {
  background,
  CITIES,
  complain,
  everydayEvents,
  everydayPlan,
  HOUR,
  linkedTo,
  MIN,
  type Planned,
  raises,
  replay,
  seeded,
  T0,
} from './test-fixtures.js';

const AUSTIN = CITIES[2];

/*
 * Outside-style set, draw b: a California outage's problem went on taking the state's everyday
 * complaints for two hours after the outage ended (its link window, 4 hours, still full of the
 * burst), and each one it took kept it looking alive. A complaint inside a local problem's place
 * is judged by the place's last hour too.
 */
describe('problem detector: a finished burst stops taking its place’s everyday complaints', () => {
  it('links the outage, not the ordinary complaints of its city hours later', () => {
    const det = new Detector({ text: { ...DEFAULT_DETECTOR_CONFIG.text, enabled: false } });
    const out: Decision[] = [];
    // Four days of ordinary complaints; Austin is half the desk.
    const busyAustin = [...CITIES, AUSTIN, AUSTIN, AUSTIN, AUSTIN, AUSTIN];
    background(det, T0, T0 + 96 * HOUR, out, 'bg', busyAustin);
    const start = T0 + 96 * HOUR;
    for (let i = 0; i < 40; i++)
      out.push(...complain(det, `cut-${i}`, start + i * 30_000, AUSTIN, 'network', 'no signal'));
    background(det, start + 20 * MIN, start + 6 * HOUR, out, 'after', busyAustin);
    const raised = raises(out).filter((r) => r.topic === 'network');
    expect(raised).toHaveLength(1);
    const id = raised[0].problemId;
    const linked = linkedTo(out, id);
    expect([...linked].filter((c) => c.startsWith('cut-')).length).toBeGreaterThanOrEqual(35);
    // Austin's count is back to its usual from an hour after the burst: none of its ordinary
    // complainers from then on is the outage's.
    const late = out.flatMap((d) =>
      d.type === 'link' && d.problemId === id && d.member.at > start + 90 * MIN ? [d.member] : [],
    );
    expect(late).toEqual([]);
  });

  /*
   * The same for complaints naming no place. The outage's place goes on with a slow tail (one
   * of its customers every 20 minutes), so it never goes quiet; the country's network key still
   * holds the burst's placeless complaints over its 4-hour window, but over its last hour it is
   * back to about its usual afternoon count.
   */
  it('links the tail of its trouble, not the country’s placeless complaints hours later', () => {
    const det = new Detector({ text: { ...DEFAULT_DETECTOR_CONFIG.text, enabled: false } });
    const out: Decision[] = [];
    const start = T0 + 108 * HOUR; // noon UTC, the fixtures' busy half of the day
    background(det, T0, start, out);
    const events: Planned[] = [];
    for (let i = 0; i < 40; i++) {
      events.push({ at: start + i * 30_000, id: `cut-${i}`, area: AUSTIN, topic: 'network' });
      const at = start + i * 30_000 + 15_000;
      events.push({ at, id: `cut-np-${i}`, area: null, topic: 'network' });
    }
    for (let i = 0; i < 15; i++) {
      const at = start + 20 * MIN + i * 20 * MIN;
      events.push({ at, id: `tail-${i}`, area: AUSTIN, topic: 'network' });
    }
    // The everyday complaints go on as before (30 % naming no place).
    const rnd = seeded(11);
    events.push(...everydayEvents(rnd, start, start + 5 * HOUR));
    events.sort((a, b) => a.at - b.at);
    for (const e of events) out.push(...complain(det, e.id, e.at, e.area, e.topic, 'no signal'));
    const raised = raises(out).filter((r) => r.topic === 'network');
    expect(raised).toHaveLength(1);
    const id = raised[0].problemId;
    const linked = [...linkedTo(out, id)];
    expect(linked.filter((c) => c.startsWith('cut-')).length).toBeGreaterThanOrEqual(60);
    // Its place's tail is still its own...
    expect(linked.filter((c) => c.startsWith('tail-')).length).toBeGreaterThanOrEqual(12);
    // ...but not the country's everyday placeless complaints of an hour and a half later.
    const late = out.flatMap((d) =>
      d.type === 'link' &&
      d.problemId === id &&
      d.member.at > start + 90 * MIN &&
      d.member.customerId.startsWith('day-')
        ? [d.member]
        : [],
    );
    const placeless = new Set(events.filter((e) => e.area === null).map((e) => e.id));
    expect(late.filter((m) => placeless.has(m.customerId))).toEqual([]);
  });

  /*
   * The same for a word a local problem owns. Austin's outage took a burst of "router" from
   * complainers naming no place (`sameTrouble`); the word's 4-hour count holds that burst for
   * hours, while its users are back to its everyday ones (how do I reset my router).
   */
  it('links its word’s burst, not the word’s everyday users hours later', () => {
    const det = new Detector();
    const start = T0 + 50 * HOUR;
    const until = start + 6 * HOUR;
    const plan: Planned[] = everydayPlan(until);
    for (let t = T0 + 7, i = 0; t < until; t += 15 * MIN, i++)
      plan.push({ id: `daily-${i}`, at: t, area: null, topic: 'device', text: ROUTER[i % 2] });
    for (let i = 0; i < 40; i++) {
      const text = 'no internet since the router rebooted';
      plan.push({ id: `au-${i}`, at: start + i * 30_000, area: AUSTIN, topic: 'outage', text });
      const at = start + 5 * MIN + i * 30_000;
      plan.push({ id: `np-${i}`, at, area: null, topic: 'device', text: `${text} ${i}` });
    }
    const out = replay(det, plan).flatMap((r) => r.ds);
    const raised = raises(out);
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ topic: 'outage', areaKey: 'p:US:78701' });
    const id = raised[0].problemId;
    expect(out.some((d) => d.type === 'own' && d.problemId === id && d.key === 'w:router')).toBe(
      true,
    );
    const linked = linkedTo(out, id);
    expect([...linked].filter((c) => c.startsWith('np-')).length).toBeGreaterThanOrEqual(30);
    // From an hour after the burst, within the word's 4-hour window of it.
    const late = plan.filter(
      (e) => e.id.startsWith('daily-') && e.at > start + 90 * MIN && e.at < start + 5 * HOUR,
    );
    expect(late.length).toBeGreaterThanOrEqual(10);
    expect(late.filter((e) => linked.has(e.id))).toEqual([]);
  });
});

const ROUTER = ['how do I reset my router', 'my router light is orange'];
