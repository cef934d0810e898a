import type { Area } from '../../triage/index.js';
import { DEFAULT_DETECTOR_CONFIG, type DetectorConfig } from './config.js';
import { type Decision, Detector } from './detector.js';

/** The detector tests' shared world: six cities (Austin the only Texan one) and their topics. */
export const MIN = 60_000;
export const HOUR = 60 * MIN;
export const T0 = Date.UTC(2025, 2, 3);
export const CITIES: Area[] = [
  { postalCode: '94110', city: 'San Francisco', region: 'CA', country: 'US', confidence: 1 },
  { postalCode: '60630', city: 'Chicago', region: 'IL', country: 'US', confidence: 1 },
  { postalCode: '78701', city: 'Austin', region: 'TX', country: 'US', confidence: 1 },
  { postalCode: '10001', city: 'New York', region: 'NY', country: 'US', confidence: 1 },
  { postalCode: '30301', city: 'Atlanta', region: 'GA', country: 'US', confidence: 1 },
  { postalCode: '98101', city: 'Seattle', region: 'WA', country: 'US', confidence: 1 },
];
export const TOPICS = ['network', 'billing', 'device', 'account', 'delivery', 'service'];

/** A seeded generator (the same sequence every run), so backgrounds are deterministic. */
export function seeded(seed = 7): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 31;
  };
}

export type Raise = Extract<Decision, { type: 'raise' }>;
export const raises = (ds: Decision[]) => ds.filter((d): d is Raise => d.type === 'raise');
export const linkedTo = (ds: Decision[], problemId: string) =>
  new Set(
    ds.flatMap((d) =>
      d.type === 'link' && d.problemId === problemId ? [d.member.customerId] : [],
    ),
  );

/**
 * No word burst is tested within the fixtures' first two days (words still compare complaints):
 * for tests of the area rules, whose complaints share a sentence.
 */
export const NO_WORD_BURSTS: Partial<DetectorConfig> = {
  text: { ...DEFAULT_DETECTOR_CONFIG.text, warmupMs: 48 * HOUR },
};

/**
 * Ordinary complaints of every topic in the six cities (30 % name no place), seeded. `places`:
 * other cities to draw from instead (a city listed twice is twice as busy).
 */
export function background(
  det: Detector,
  from: number,
  to: number,
  out: Decision[],
  tag = 'bg',
  places: readonly Area[] = CITIES,
) {
  const rnd = seeded();
  let n = 0;
  for (let t = from; t < to; ) {
    const hour = new Date(t).getUTCHours();
    t += Math.round((HOUR / (hour >= 12 && hour <= 23 ? 40 : 10)) * (0.5 + rnd()));
    const area = places[Math.floor(rnd() * places.length)];
    const customerId = `${tag}-${n++}`;
    out.push(
      ...det.observe({
        ref: customerId,
        at: t,
        customerId,
        caseId: `case-${customerId}`,
        area: rnd() < 0.3 ? null : area,
        complaint: true,
        topic: TOPICS[Math.floor(rnd() * TOPICS.length)],
        text: 'my bill is wrong again this month',
      }),
    );
  }
}

/** One complaint (an outage unless told otherwise). */
export function complain(
  det: Detector,
  id: string,
  at: number,
  area: Area | null,
  topic = 'outage',
  text = 'nothing works here since this morning',
) {
  return det.observe({
    ref: `${id}-${at}`,
    at,
    customerId: id,
    caseId: `case-${id}`,
    area,
    complaint: true,
    topic,
    text,
  });
}

/** One message triage did not call a complaint. */
export function unflagged(
  det: Detector,
  id: string,
  at: number,
  area: Area | null,
  topic: string,
  text: string,
) {
  return det.observe({
    ref: id,
    at,
    customerId: id,
    caseId: `case-${id}`,
    area,
    complaint: false,
    topic,
    text,
  });
}

/** One complaint a test plans ahead (`replay` feeds them in event-time order). */
export interface Planned {
  id: string;
  at: number;
  area: Area | null;
  topic: string;
  text?: string;
}

/**
 * Everyday complaints planned from T0 to `to`, one every ten minutes in the six cities (a third
 * naming no place), all in one sentence of their own: the background of the word-burst tests.
 */
export function everydayPlan(to: number): Planned[] {
  const plan: Planned[] = [];
  for (let t = T0, i = 0; t < to; t += 10 * MIN, i++)
    plan.push({
      id: `bg-${i}`,
      at: t,
      area: i % 3 ? CITIES[i % CITIES.length] : null,
      topic: TOPICS[Math.floor(i / CITIES.length) % TOPICS.length],
      text: 'my bill is wrong again this month',
    });
  return plan;
}

/**
 * Everyday complaints of the fixtures' busy hours (about 40 an hour, 30 % naming no place) from
 * `from` to `to`, drawn from `rnd`, as `day-<n>`: what goes on beside a test's trouble.
 */
export function everydayEvents(rnd: () => number, from: number, to: number): Planned[] {
  const events: Planned[] = [];
  for (let t = from, n = 0; t < to; n++) {
    t += Math.round((HOUR / 40) * (0.5 + rnd()));
    const area = rnd() < 0.3 ? null : CITIES[Math.floor(rnd() * CITIES.length)];
    events.push({ at: t, id: `day-${n}`, area, topic: TOPICS[Math.floor(rnd() * TOPICS.length)] });
  }
  return events;
}

/**
 * `n` complaints of one trouble, `<prefix>-0` on, one every `every` ms from `from`: in one place
 * and one sentence, or each its own by index (`area(i)`, `text(i)`); filed under the fixtures'
 * topics in turn from `topic0` (triage files a trouble's complaints under several topics).
 */
export function burstPlan(
  prefix: string,
  n: number,
  from: number,
  every: number,
  area: Area | null | ((i: number) => Area | null),
  text: string | ((i: number) => string),
  topic0 = 0,
): Planned[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}-${i}`,
    at: from + i * every,
    area: typeof area === 'function' ? area(i) : area,
    topic: TOPICS[(i + topic0) % TOPICS.length],
    text: typeof text === 'function' ? text(i) : text,
  }));
}

/** Feeds planned complaints in event-time order; returns each one's time and decisions. */
export function replay(det: Detector, planned: Planned[]): { at: number; ds: Decision[] }[] {
  return [...planned]
    .sort((a, b) => a.at - b.at)
    .map((e) => ({ at: e.at, ds: complain(det, e.id, e.at, e.area, e.topic, e.text) }));
}

/**
 * A detector that has seen 30 hours of background, and when the test's traffic starts. Its
 * complaints share one sentence each (the background's, `complain`'s), so any trouble would be a
 * word burst too: word bursts stay off (`NO_WORD_BURSTS`) unless a test sets `text` itself.
 */
export function warmed(config: Partial<DetectorConfig> = {}) {
  const det = new Detector({ ...NO_WORD_BURSTS, ...config });
  const out: Decision[] = [];
  background(det, T0, T0 + 30 * HOUR, out);
  return { det, out, start: T0 + 30 * HOUR };
}

/**
 * A desk whose word rules run (from its sixth hour; the fixtures' 30 hours suffice) with an
 * Austin outage raised from twelve complaints in its first twelve minutes. `austin(from, to,
 * into)` adds Austin's complaints of minutes `from` to `to`.
 */
export function austinOutage() {
  const { det, out, start } = warmed({
    text: { ...DEFAULT_DETECTOR_CONFIG.text, warmupMs: 6 * HOUR },
  });
  const austin = (from: number, to: number, into: Decision[]) => {
    for (let i = from; i < to; i++)
      into.push(...complain(det, `au-${i}`, start + i * MIN, CITIES[2], 'outage', 'no internet'));
  };
  austin(0, 12, out);
  return { det, out, start, austin, outage: raises(out) };
}
