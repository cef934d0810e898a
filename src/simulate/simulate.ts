/**
 * The scenario simulator: realistic care traffic written by us, with ground truth.
 *
 * Output order: events leave in event time (`sentAt`, or an incident's `start`); an incident
 * event comes before any message at the same instant. Messages that would fall after the window
 * end are dropped, so every `inReplyTo` points to a message that was emitted earlier.
 * Deterministic: one seeded PRNG (mulberry32) consumed in program order; no wall clock.
 */

import type { ChannelKind } from '../ingest/inbound.schema.js';
import { areaContains, getMetros, type Metro } from './areas.js';
import { type ConversationEnv, startConversation } from './conversation.js';
import { TimeHeap } from './heap.js';
import { type PlannedIncident, planIncidents } from './incidents.js';
import { PeopleFactory, type Person } from './people.js';
import { hashSeed, Rng } from './prng.js';
import { RHYTHM_MAX, rhythm } from './rhythm.js';
import { getScenario } from './scenarios.js';
import type { SimEvent, SimulateOptions } from './sim.types.js';
import { parseStartTime } from './start-time.js';
import { BASELINE_FAMILIES } from './texts.customer.js';

export { listScenarios } from './scenarios.js';

/** Share of first contacts per channel for a US carrier today (our estimate). */
export const CHANNEL_SHARES: readonly (readonly [ChannelKind, number])[] = [
  ['x', 0.16],
  ['facebook', 0.11],
  ['instagram', 0.05],
  ['whatsapp', 0.08],
  ['email', 0.17],
  ['sms', 0.1],
  ['voice', 0.17],
  ['webchat', 0.13],
  ['api', 0.03],
];

const DAY = 86_400_000;

/**
 * Generates the events of a scenario in event-time order. Throws on an unknown scenario (listing
 * the known ones) or on bad options.
 */
export function* simulate(opts: SimulateOptions): Generator<SimEvent> {
  const def = getScenario(opts.scenario);
  if (!Number.isSafeInteger(opts.seed))
    throw new Error(`seed must be an integer, got ${opts.seed}`);
  const days = opts.days ?? def.days;
  if (!(days > 0 && days <= 366)) throw new Error(`days must be in (0, 366], got ${days}`);
  const windowStart = parseStartTime(opts.start ?? def.start);
  const windowEnd = windowStart + days * DAY;

  const rng = new Rng(hashSeed(def.name, opts.seed));
  const runPrefix = `sim-${def.name}-${opts.seed}`;
  const runTag = hashSeed(`${def.name}#ids`, opts.seed) % 1_000_000;
  const people = new PeopleFactory(rng, runTag, CHANNEL_SHARES);
  const heap = new TimeHeap<SimEvent>();
  let messageNo = 0;
  const env: ConversationEnv = {
    rng,
    people,
    showcase: def.showcase === true,
    channelShares: CHANNEL_SHARES,
    nextExternalId: () => `${runPrefix}-${String(++messageNo).padStart(6, '0')}`,
    emit: (t, event) => heap.push(t, event),
  };

  const metros = getMetros();
  const totalWeight = metros.reduce((a, m) => a + m.weight, 0);
  const population = new Population(
    people,
    rng,
    metros,
    def.conversationsPerDay * days,
    totalWeight,
  );

  const incidents = planIncidents(def, rng, runPrefix, windowStart, days);
  for (const p of incidents) heap.push(p.startMs, { type: 'incident', incident: p.incident });
  const incidentStarts = incidents
    .flatMap((p) => p.complaintTimes.map((t) => ({ t, p })))
    .sort((a, b) => a.t - b.t);
  let nextIncident = 0;

  // Baseline first contacts: a non-homogeneous Poisson process by thinning. Each day gets its own
  // level (±8 %) so that no two days look identical to a detector's baseline.
  const dayLevel = Array.from({ length: Math.ceil(days) }, () => Math.exp(0.08 * rng.normal()));
  const ratePerMs = def.conversationsPerDay / DAY;
  const maxRate = ratePerMs * RHYTHM_MAX * Math.max(...dayLevel);
  const metroRates = new Array<number>(metros.length);
  let metroRateSum = 0;
  let rateMinute = Number.NaN;
  // The metro rates change slowly; recomputing them once per simulated minute (not per candidate)
  // keeps the load scenario fast.
  const updateRates = (t: number): void => {
    const minute = Math.floor(t / 60_000);
    if (minute === rateMinute) return;
    rateMinute = minute;
    metroRateSum = 0;
    for (let k = 0; k < metros.length; k++) {
      metroRates[k] = (metros[k].weight / totalWeight) * rhythm(t, metros[k].utcOffset);
      metroRateSum += metroRates[k];
    }
  };
  let baseT = windowStart;
  const nextBaseline = (): number => {
    for (;;) {
      baseT += rng.exp(maxRate);
      if (baseT >= windowEnd) return Number.POSITIVE_INFINITY;
      const level = dayLevel[Math.floor((baseT - windowStart) / DAY)];
      updateRates(baseT);
      if (rng.next() * maxRate < ratePerMs * level * metroRateSum) return baseT;
    }
  };
  let nextBase = nextBaseline();

  for (;;) {
    const incidentT =
      nextIncident < incidentStarts.length
        ? incidentStarts[nextIncident].t
        : Number.POSITIVE_INFINITY;
    const nextStart = Math.min(nextBase, incidentT);
    const top = heap.peek();
    if (top && top.t <= nextStart) {
      heap.pop();
      if (top.t < windowEnd) yield top.value;
      continue;
    }
    if (nextStart === Number.POSITIVE_INFINITY) break;
    if (incidentT <= nextBase) {
      const { p } = incidentStarts[nextIncident++];
      startConversation(env, incidentT, population.forIncident(p), p.family, p);
    } else {
      // Pick the metro in proportion to its current (local-time) rate.
      updateRates(nextBase);
      let u = rng.next() * metroRateSum;
      let k = 0;
      while (k < metros.length - 1 && u >= metroRates[k]) u -= metroRates[k++];
      startConversation(env, nextBase, population.forBaseline(k), rng.weighted(BASELINE_FAMILIES));
      nextBase = nextBaseline();
    }
  }
}

/**
 * The customer base. Baseline contacts draw from a fixed-size pool per metro (so some people
 * come back, on the same or another channel); incidents take people living in the affected area,
 * each at most once per incident, adding new residents when the area has too few.
 */
class Population {
  private readonly pools: (Person | undefined)[][];
  private readonly poolSizes: number[];
  private readonly everyone: Person[] = [];

  constructor(
    private readonly people: PeopleFactory,
    private readonly rng: Rng,
    private readonly metros: Metro[],
    expectedConversations: number,
    totalWeight: number,
  ) {
    // About 1.35 conversations per person over the run: most write once, some come back.
    this.poolSizes = metros.map((m) =>
      Math.max(10, Math.ceil(((expectedConversations / 1.35) * m.weight) / totalWeight)),
    );
    this.pools = metros.map(() => []);
  }

  forBaseline(metroIndex: number): Person {
    const pool = this.pools[metroIndex];
    const i = this.rng.int(0, this.poolSizes[metroIndex] - 1);
    let p = pool[i];
    if (!p) {
      const metro = this.metros[metroIndex];
      p = this.add(metro, this.rng.pick(metro.zips));
      pool[i] = p;
    }
    return p;
  }

  forIncident(planned: PlannedIncident): Person {
    const { area } = planned.incident;
    // Reuse an existing resident a third of the time, if one is free.
    if (this.rng.chance(0.35)) {
      for (let attempt = 0; attempt < 4 && this.everyone.length > 0; attempt++) {
        const p = this.rng.pick(this.everyone);
        if (areaContains(area, p.home) && !planned.used.has(p.key)) {
          planned.used.add(p.key);
          return p;
        }
      }
    }
    const metro = this.rng.weighted(planned.metros.map((m) => [m, m.weight] as const));
    const p = this.add(metro, area.postalCode ?? this.rng.pick(metro.zips));
    planned.used.add(p.key);
    return p;
  }

  private add(metro: Metro, zip: string): Person {
    const p = this.people.create(metro, zip);
    this.everyone.push(p);
    return p;
  }
}
