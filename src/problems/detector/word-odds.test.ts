import { describe, expect, it } from 'vitest';
import type { Area } from '../../triage/index.js';
import { DEFAULT_DETECTOR_CONFIG, type DetectorConfig } from './config.js';
import { type Decision, Detector } from './detector.js';
import {
  CITIES,
  complain,
  HOUR,
  linkedTo,
  MIN,
  type Raise,
  raises,
  seeded,
  T0,
} from './test-fixtures.js';

/** Everyday complaints of the desks below, a few sentences per topic. */
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
const WORDS_OFF: Partial<DetectorConfig> = {
  wordOdds: { ...DEFAULT_DETECTOR_CONFIG.wordOdds, minLinked: 0 },
};

/**
 * A detector after two days of everyday complaints (a few an hour at night, forty by day),
 * `placed` of them naming one of the six cities; returns it and when the test's traffic starts.
 */
function everydayDesk(config: Partial<DetectorConfig>, placed: number) {
  const det = new Detector(config);
  const rnd = seeded(11);
  const start = T0 + 48 * HOUR;
  let n = 0;
  for (let t = T0; t < start; ) {
    const hour = new Date(t).getUTCHours();
    t += Math.round((HOUR / (hour >= 12 ? 40 : 10)) * (0.5 + rnd()));
    const topic = TOPICS[Math.floor(rnd() * TOPICS.length)];
    const text = EVERYDAY[topic][Math.floor(rnd() * EVERYDAY[topic].length)];
    const area = rnd() < placed ? CITIES[Math.floor(rnd() * CITIES.length)] : null;
    complain(det, `bg-${n++}`, t, area, topic, text);
  }
  return { det, rnd, start };
}

/**
 * A trouble's problem and what it took of twenty ordinary complaints (`ord-…`) and twenty of
 * its own (`own-…`) sent after its first hour.
 */
function outcome(trouble: Decision[], later: Decision[], isIt: (r: Raise) => boolean) {
  const problem = raises([...trouble, ...later]).find(isIt);
  const took = problem ? [...linkedTo(later, problem.problemId)] : [];
  return {
    problem,
    ordinary: took.filter((c) => c.startsWith('ord-')).length,
    own: took.filter((c) => c.startsWith('own-')).length,
  };
}

function expectTaken(r: ReturnType<typeof outcome>, wordsRead: boolean) {
  expect(r.problem).toBeDefined();
  expect(r.own).toBeGreaterThanOrEqual(18);
  if (wordsRead) expect(r.ordinary).toBeLessThanOrEqual(2);
  else expect(r.ordinary).toBeGreaterThanOrEqual(15);
}

/*
 * Outside-style QA set, desk overlap: a 600-customer billing trouble across the country ("the
 * bill posted today is wrong", "bill more than doubled this cycle") took 227 of the country's
 * ordinary billing complaints ("prorated charges make zero sense") over its ten hours: while
 * the topic's count is mostly excess, each complaint of the topic looks like the trouble's by
 * counts alone. Its words say otherwise: the problem's complainers rarely use them.
 */
function billingTrouble(config: Partial<DetectorConfig> = {}) {
  const { det, rnd, start } = everydayDesk(config, 0.6);
  const somewhere = () => (rnd() < 0.3 ? CITIES[Math.floor(rnd() * CITIES.length)] : null);
  // The trouble: 400 customers in three hours, most naming no place, in its own words.
  const trouble: Decision[] = [];
  for (let i = 0; i < 400; i++) {
    const at = start + Math.floor((i * 3 * HOUR) / 400);
    const text = `the bill posted today is wrong, more than doubled overnight ${i}`;
    trouble.push(...complain(det, `tr-${i}`, at, somewhere(), 'billing', text));
  }
  const later: Decision[] = [];
  for (let i = 0; i < 20; i++) {
    const at = start + 80 * MIN + i * 3 * MIN + 7_000;
    later.push(...complain(det, `ord-${i}`, at, null, 'billing', EVERYDAY.billing[i % 3]));
    const own = `bill posted today doubled ${i}`;
    later.push(...complain(det, `own-${i}`, at + 20_000, null, 'billing', own));
  }
  return outcome(trouble, later, (r) => r.topic === 'billing');
}

/*
 * Outside-style QA set, desk high-swing: a 2,000-customer Florida outage's problem took the
 * ordinary complaints of other topics in its cities ("replacement Galaxy S24 arrived with a
 * cracked back" in Tampa): triage files some of an outage's complaints under device or service,
 * so those topics' counts there are mostly excess while it lasts, and by counts alone any
 * complaint of them looks like the trouble's. A complaint of another topic than a big problem's
 * is read by its words too, as one naming no place is.
 */
function austinOutage(config: Partial<DetectorConfig> = {}) {
  const { det, start } = everydayDesk(config, 1);
  const austin: Area = CITIES[2];
  // 400 Austin customers in three hours, a quarter of them filed under device.
  const trouble: Decision[] = [];
  for (let i = 0; i < 400; i++) {
    const at = start + Math.floor((i * 3 * HOUR) / 400);
    const device = i % 4 === 3;
    const text = device
      ? `modem shows a red light, the whole street is down ${i}`
      : `no internet on the whole street since noon ${i}`;
    trouble.push(...complain(det, `tr-${i}`, at, austin, device ? 'device' : 'outage', text));
  }
  const later: Decision[] = [];
  for (let i = 0; i < 20; i++) {
    const at = start + 80 * MIN + i * 3 * MIN + 7_000;
    later.push(...complain(det, `ord-${i}`, at, austin, 'device', EVERYDAY.device[0]));
    const own = `modem red light, street down ${i}`;
    later.push(...complain(det, `own-${i}`, at + 20_000, austin, 'device', own));
  }
  // (Raised on Austin's every-topic key: its first complainers' topics were mixed.)
  return outcome(trouble, later, (r) => !!r.areaKey?.includes('78701'));
}

describe('problem detector: a big problem turns away complaints in words it does not use', () => {
  it('leaves ordinary complaints of its topic out, and takes its own', () => {
    expectTaken(billingTrouble(), true);
  });

  it('takes them by counts alone when words are not read', () => {
    expectTaken(billingTrouble(WORDS_OFF), false);
  });

  it('leaves ordinary complaints of another topic in its city out, and takes its own filed so', () => {
    expectTaken(austinOutage(), true);
  });

  it('takes those by counts alone when words are not read', () => {
    expectTaken(austinOutage(WORDS_OFF), false);
  });
});
