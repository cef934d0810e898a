/**
 * The evaluation's traffic for one seed: the simulator's `eval` scenario (seed-drawn incidents
 * over four weeks of baseline) with the real telecom threads (background.ts) merged in by event
 * time. Built once per seed and cached, so the in-memory and the full-pipeline runs score the
 * same messages against the same truth.
 */
import type { InboundMessage } from '../../src/ingest/inbound.schema.js';
import { type SimArea, type SimIncident, simulate } from '../../src/simulate/index.js';
import { getScenario } from '../../src/simulate/scenarios.js';
import { placeRealThreads, type RealThreads } from './background.js';

export const SCENARIO = 'eval';

export interface EvalTruth {
  incidentId: string | null;
  /** The simulator's truth; null for real background text (nobody labelled it). */
  complaint: boolean | null;
  customerKey: string;
  /** True for a message from the real telecom threads. */
  real: boolean;
  topic: string | null;
  area: SimArea | null;
}

export interface EvalMessage {
  message: InboundMessage;
  truth: EvalTruth;
}

export interface EvalRun {
  seed: number;
  days: number;
  incidents: SimIncident[];
  /** Every message (agent replies too), in event-time order. */
  messages: EvalMessage[];
  realMessages: number;
}

const cache = new Map<string, EvalRun>();

export function buildRun(seed: number, days: number, real: RealThreads | null): EvalRun {
  const key = `${seed}:${days}:${real ? 'real' : 'sim'}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const incidents: SimIncident[] = [];
  const simulated: EvalMessage[] = [];
  for (const e of simulate({ scenario: SCENARIO, seed, days })) {
    if (e.type === 'incident') {
      incidents.push(e.incident);
      continue;
    }
    const t = e.truth;
    simulated.push({
      message: e.message,
      truth: {
        incidentId: t.incidentId ?? null,
        complaint: t.complaint,
        customerKey: t.customerKey,
        real: false,
        topic: t.topic,
        area: t.area ?? null,
      },
    });
  }
  const windowStart = Date.parse(getScenario(SCENARIO).start);
  const placed = real ? placeRealThreads(real, seed, windowStart, days) : [];
  const messages: EvalMessage[] = [];
  let i = 0;
  for (const s of simulated) {
    const at = Date.parse(s.message.sentAt);
    while (i < placed.length && placed[i].at < at) messages.push(fromReal(placed[i++].message));
    messages.push(s);
  }
  while (i < placed.length) messages.push(fromReal(placed[i++].message));
  const run = {
    seed,
    days,
    incidents,
    messages,
    realMessages: placed.filter((p) => p.message.direction === 'in').length,
  };
  cache.set(key, run);
  return run;
}

function fromReal(message: InboundMessage): EvalMessage {
  return {
    message,
    truth: {
      incidentId: null,
      complaint: null,
      customerKey: `twcs:${message.author.id}`,
      real: true,
      topic: null,
      area: null,
    },
  };
}
