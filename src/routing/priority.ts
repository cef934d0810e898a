import type { Priority } from '../platform/db/schema.js';
import type { Topic, UrgencyKind } from '../triage/types.js';

/**
 * # Priority comes from need
 *
 * `score = severity(topic) + Σ urgency(signal) + complaint + distress + waiting`, capped at 100:
 *
 * | part | points |
 * | --- | --- |
 * | severity of the topic | outage 35 · network 30 · service 25 · billing 22 · account 18 · device 18 · delivery 18 · other 10 · praise 0 |
 * | urgency signals (each) | safety 40 · vulnerable 25 · legal 20 · churn (cancellation threat) 20 · repeat contact 10 |
 * | it is a complaint | 5 |
 * | distress (negative sentiment) | `round(15 × max(0, −sentiment))`, 0..15 |
 * | waiting without an answer | 1 per 15 minutes, at most 20 |
 *
 * Waiting is scored when a message arrives and again when a response clock goes at risk or
 * breaches (`src/sla/sla.jobs.ts`), so a case nobody answers climbs bands by itself.
 *
 * Bands: **urgent** ≥ 70 · **high** ≥ 45 · **normal** ≥ 20 · **low** below.
 *
 * Examples: a calm billing question = 22 (normal); an angry outage complaint (sentiment −0.8)
 * = 35 + 5 + 12 = 52 (high); a vulnerable customer without service = 30 + 25 + 5 + … ≥ 60
 * (high), with a safety risk it is urgent; praise = 0 (low).
 *
 * **Reach is not an input.** The function does not take followers, verification or any
 * measure of audience, so a tweet from an account with two million followers and a text message
 * from someone nobody follows get the same priority for the same need. High reach raises a
 * separate reputation alert for the communications team (see `reputation.ts`) and changes
 * nothing here. Tested in `priority.test.ts` and through the pipeline.
 */
export interface NeedSignals {
  topic: Topic | string | null;
  urgency: readonly (UrgencyKind | string)[];
  complaint: boolean;
  /** −1 (very negative) .. 1 (very positive). */
  sentiment: number;
  /** How long the customer has been waiting for an answer, in ms (0 for a new message). */
  waitingMs: number;
}

export const TOPIC_SEVERITY: Record<string, number> = {
  outage: 35,
  network: 30,
  service: 25,
  billing: 22,
  account: 18,
  device: 18,
  delivery: 18,
  other: 10,
  praise: 0,
};

export const URGENCY_POINTS: Record<string, number> = {
  safety: 40,
  vulnerable: 25,
  legal: 20,
  churn: 20,
  repeat: 10,
};

export const BANDS: readonly [Priority, number][] = [
  ['urgent', 70],
  ['high', 45],
  ['normal', 20],
  ['low', 0],
];

export const PRIORITY_RANK: Record<Priority, number> = { low: 0, normal: 1, high: 2, urgent: 3 };

export function needScore(s: NeedSignals): number {
  let score = TOPIC_SEVERITY[s.topic ?? 'other'] ?? TOPIC_SEVERITY.other;
  for (const u of new Set(s.urgency)) score += URGENCY_POINTS[u] ?? 0;
  if (s.complaint) score += 5;
  score += Math.round(15 * Math.max(0, -s.sentiment));
  score += Math.min(20, Math.floor(Math.max(0, s.waitingMs) / 900_000));
  return Math.min(100, score);
}

export function bandOf(score: number): Priority {
  for (const [band, min] of BANDS) if (score >= min) return band;
  return 'low';
}

export function priorityOf(s: NeedSignals): { score: number; priority: Priority } {
  const score = needScore(s);
  return { score, priority: bandOf(score) };
}

export const higher = (a: Priority, b: Priority): Priority =>
  PRIORITY_RANK[a] >= PRIORITY_RANK[b] ? a : b;
