import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTOR_CONFIG } from './config.js';
import { type Decision, Detector } from './detector.js';
import { background, CITIES, complain, HOUR, linkedTo, MIN, raises, T0 } from './test-fixtures.js';

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
});
