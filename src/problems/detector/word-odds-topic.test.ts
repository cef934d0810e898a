import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTOR_CONFIG, type DetectorConfig } from './config.js';
import { type Decision, Detector } from './detector.js';
import { CITIES, HOUR, linkedTo, MIN, raises, seeded, T0 } from './test-fixtures.js';

/*
 * Outside-style QA set, desk high-swing: a 2,000-customer Florida outage's problem took the
 * ordinary complaints of other topics in its cities ("replacement Galaxy S24 arrived with a
 * cracked back" in Tampa): triage files some of an outage's complaints under device or service,
 * so those topics' counts there are mostly excess while it lasts, and by counts alone any
 * complaint of them looks like the trouble's. A complaint of another topic than a big problem's
 * is read by its words too, as one naming no place is.
 */
const EVERYDAY: Record<string, string[]> = {
  device: [
    'replacement handset arrived with a cracked screen',
    'battery drains overnight since the software update',
  ],
  billing: ['prorated charges make zero sense on my statement'],
  network: ['signal drops inside my apartment'],
  account: ['locked out after the password reset email never came'],
};
const TOPICS = Object.keys(EVERYDAY);
const AUSTIN = CITIES[2];

function run(config: Partial<DetectorConfig> = {}) {
  const det = new Detector(config);
  const rnd = seeded(5);
  const out: Decision[] = [];
  let n = 0;
  const observe = (id: string, at: number, topic: string, text: string, area = AUSTIN) =>
    det.observe({
      ref: `${id}-${at}`,
      at,
      customerId: id,
      caseId: `case-${id}`,
      area,
      complaint: true,
      topic,
      text,
    });
  // Two days of everyday complaints in the six cities.
  const start = T0 + 48 * HOUR;
  for (let t = T0; t < start; ) {
    const hour = new Date(t).getUTCHours();
    t += Math.round((HOUR / (hour >= 12 ? 40 : 10)) * (0.5 + rnd()));
    const topic = TOPICS[Math.floor(rnd() * TOPICS.length)];
    const pool = EVERYDAY[topic];
    const area = CITIES[Math.floor(rnd() * CITIES.length)];
    out.push(...observe(`bg-${n++}`, t, topic, pool[Math.floor(rnd() * pool.length)], area));
  }
  // The outage: 400 Austin customers in three hours, a quarter of them filed under device.
  const trouble: Decision[] = [];
  for (let i = 0; i < 400; i++) {
    const at = start + Math.floor((i * 3 * HOUR) / 400);
    const device = i % 4 === 3;
    const text = device
      ? `modem shows a red light, the whole street is down ${i}`
      : `no internet on the whole street since noon ${i}`;
    trouble.push(...observe(`tr-${i}`, at, device ? 'device' : 'outage', text));
  }
  // After its first hour, twenty ordinary device complaints in Austin, and twenty of the
  // outage's own filed under device.
  const later: Decision[] = [];
  for (let i = 0; i < 20; i++) {
    const at = start + 80 * MIN + i * 3 * MIN + 7_000;
    later.push(...observe(`ord-${i}`, at, 'device', EVERYDAY.device[i % 2]));
    later.push(...observe(`own-${i}`, at + 20_000, 'device', `modem red light, street down ${i}`));
  }
  // (Raised on Austin's every-topic key: its first complainers' topics were mixed.)
  const problem = raises([...trouble, ...later]).find((r) => r.areaKey?.includes('78701'));
  const took = problem ? [...linkedTo(later, problem.problemId)] : [];
  return {
    problem,
    ordinary: took.filter((c) => c.startsWith('ord-')).length,
    own: took.filter((c) => c.startsWith('own-')).length,
  };
}

describe('problem detector: a big local problem reads the words of complaints of other topics', () => {
  it('leaves ordinary device complaints of its city out, and takes its own filed as device', () => {
    const r = run();
    expect(r.problem).toBeDefined();
    expect(r.own).toBeGreaterThanOrEqual(18);
    expect(r.ordinary).toBeLessThanOrEqual(2);
  });

  it('takes them by counts alone when words are not read', () => {
    const off = { ...DEFAULT_DETECTOR_CONFIG.wordOdds, minLinked: 0 };
    const r = run({ wordOdds: off });
    expect(r.problem).toBeDefined();
    expect(r.own).toBeGreaterThanOrEqual(18);
    expect(r.ordinary).toBeGreaterThanOrEqual(15);
  });
});
