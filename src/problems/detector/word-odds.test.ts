import { describe, expect, it } from 'vitest';
import { DEFAULT_DETECTOR_CONFIG, type DetectorConfig } from './config.js';
import { type Decision, Detector } from './detector.js';
import { CITIES, HOUR, linkedTo, MIN, raises, seeded, T0 } from './test-fixtures.js';

/*
 * Outside-style QA set, desk overlap: a 600-customer billing trouble across the country ("the
 * bill posted today is wrong", "bill more than doubled this cycle") took 227 of the country's
 * ordinary billing complaints ("prorated charges make zero sense") over its ten hours: while
 * the topic's count is mostly excess, each complaint of the topic looks like the trouble's by
 * counts alone. Its words say otherwise: the problem's complainers rarely use them.
 */
const EVERYDAY: Record<string, string[]> = {
  billing: [
    'prorated charges make zero sense on my statement',
    'paperless discount vanished from my account',
    'autopay took the payment twice this month',
  ],
  network: ['signal drops inside my apartment', 'calls keep failing near the station'],
  device: ['replacement handset arrived with a cracked screen'],
  account: ['locked out after the password reset email never came'],
};
const TOPICS = Object.keys(EVERYDAY);

function run(config: Partial<DetectorConfig> = {}) {
  const det = new Detector(config);
  const rnd = seeded(11);
  const out: Decision[] = [];
  let n = 0;
  const observe = (id: string, at: number, topic: string, text: string, placed: boolean) =>
    det.observe({
      ref: `${id}-${at}`,
      at,
      customerId: id,
      caseId: `case-${id}`,
      area: placed ? CITIES[Math.floor(rnd() * CITIES.length)] : null,
      complaint: true,
      topic,
      text,
    });
  // Two days of everyday complaints, a few an hour at night and forty by day.
  const start = T0 + 48 * HOUR;
  for (let t = T0; t < start; ) {
    const hour = new Date(t).getUTCHours();
    t += Math.round((HOUR / (hour >= 12 ? 40 : 10)) * (0.5 + rnd()));
    const topic = TOPICS[Math.floor(rnd() * TOPICS.length)];
    const pool = EVERYDAY[topic];
    out.push(...observe(`bg-${n++}`, t, topic, pool[Math.floor(rnd() * pool.length)], rnd() < 0.6));
  }
  // The trouble: 400 customers in three hours, most naming no place, in its own words; among
  // them, after its first hour, twenty ordinary billing complaints.
  const trouble: Decision[] = [];
  for (let i = 0; i < 400; i++) {
    const at = start + Math.floor((i * 3 * HOUR) / 400);
    const text = `the bill posted today is wrong, more than doubled overnight ${i}`;
    trouble.push(...observe(`tr-${i}`, at, 'billing', text, rnd() < 0.3));
  }
  const later: Decision[] = [];
  for (let i = 0; i < 20; i++) {
    const at = start + 80 * MIN + i * 3 * MIN + 7_000;
    later.push(...observe(`ord-${i}`, at, 'billing', EVERYDAY.billing[i % 3], false));
    later.push(
      ...observe(`late-${i}`, at + 20_000, 'billing', `bill posted today doubled ${i}`, false),
    );
  }
  const problem = raises([...trouble, ...later]).find((r) => r.topic === 'billing');
  const took = problem ? [...linkedTo(later, problem.problemId)] : [];
  return {
    problem,
    ordinary: took.filter((c) => c.startsWith('ord-')).length,
    own: took.filter((c) => c.startsWith('late-')).length,
  };
}

describe('problem detector: a big problem turns away complaints in words it does not use', () => {
  it('leaves ordinary complaints of its topic out, and takes its own', () => {
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
