import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTOR_CONFIG } from './config.js';
import { type Decision, Detector } from './detector.js';
import {
  background,
  CITIES,
  complain,
  everydayEvents,
  HOUR,
  linkedTo,
  MIN,
  type Planned,
  raises,
  seeded,
  T0,
} from './test-fixtures.js';

/*
 * Outside-style set, cold desk: a country-wide billing trouble at twice the country's usual
 * billing rate was raised half an hour in, and then linked few of its complaints for hours:
 * the key's 4-hour window held 3.5 hours of ordinary billing complaints from before it began.
 * A young problem's key is judged since its trouble began.
 */
describe('problem detector: a young problem is judged since its trouble began', () => {
  it('links a country-wide trouble’s complaints from its first hours', () => {
    const det = new Detector({ text: { ...DEFAULT_DETECTOR_CONFIG.text, enabled: false } });
    const out: Decision[] = [];
    const start = T0 + 112 * HOUR; // 16:00 UTC, four hours into the fixtures' busy half of the day
    background(det, T0, start, out);
    const events: Planned[] = [];
    // The trouble: one customer every 3 minutes for three hours, anywhere.
    const rnd = seeded(5);
    for (let i = 0; i < 60; i++) {
      const area = rnd() < 0.4 ? null : CITIES[Math.floor(rnd() * CITIES.length)];
      events.push({ at: start + i * 3 * MIN, id: `bill-${i}`, area, topic: 'billing' });
    }
    // The everyday complaints go on as before (30 % naming no place).
    events.push(...everydayEvents(rnd, start, start + 4 * HOUR));
    events.sort((a, b) => a.at - b.at);
    for (const e of events)
      out.push(...complain(det, e.id, e.at, e.area, e.topic, 'charged twice'));
    const raised = raises(out).filter((r) => r.topic === 'billing');
    expect(raised).toHaveLength(1);
    expect(raised[0].areaKey).toBe('all');
    const linked = linkedTo(out, raised[0].problemId);
    // Its complaints of its second hour: the 4-hour window still holds more of the country's
    // ordinary billing complaints than of the trouble's.
    const second = events.filter(
      (e) => e.id.startsWith('bill-') && e.at >= start + HOUR && e.at < start + 2 * HOUR,
    );
    expect(second.filter((e) => linked.has(e.id)).length).toBeGreaterThanOrEqual(15);
    // (8 of its 20 over the 4-hour window alone.) Nor any other topic's everyday complaints.
    expect([...linked].filter((c) => c.startsWith('bill-')).length).toBeGreaterThanOrEqual(55);
    const others = events.filter((e) => e.id.startsWith('day-') && e.topic !== 'billing');
    expect(others.filter((e) => linked.has(e.id))).toEqual([]);
  });
});
