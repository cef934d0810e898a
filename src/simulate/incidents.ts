/**
 * Plans the injected incidents of a run: where (pinned or drawn from the seed), when, and the
 * times at which each affected customer first complains. Planned up front so the incident event
 * can state exactly how many distinct customers will complain inside its window.
 */
import { findMetro, getMetros, type Metro, metroOfZip } from './areas.js';
import { drawIncidents } from './incident-mix.js';
import type { Rng } from './prng.js';
import type { IncidentSpec, ScenarioDef } from './scenarios.js';
import type { SimArea, SimIncident } from './sim.types.js';
import { CUSTOMER_FAMILIES, type CustomerFamily } from './texts.customer.js';

export interface PlannedIncident {
  incident: SimIncident;
  family: CustomerFamily;
  /** Metros whose customers can be affected (one for ZIP/city level, several for a state). */
  metros: Metro[];
  startMs: number;
  endMs: number;
  /** Sorted epoch ms of each distinct customer's first complaint. */
  complaintTimes: number[];
  /** Used customers (distinctness). */
  used: Set<string>;
  /** How to describe the area in an informed reply. */
  areaText: string;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export function planIncidents(
  def: ScenarioDef,
  rng: Rng,
  runPrefix: string,
  windowStart: number,
  days: number,
): PlannedIncident[] {
  const windowEnd = windowStart + days * DAY;
  const planned: PlannedIncident[] = [];
  const repeat = def.mix ? undefined : def.repeatEveryDays;
  const rounds = repeat ? Math.ceil(days / repeat) : 1;
  const specs = def.mix ? drawIncidents(rng, days, def.mix) : def.incidents;
  for (let round = 0; round < rounds; round++) {
    for (const spec of specs) {
      const day = spec.day + round * (repeat ?? 0);
      if (day >= days) continue;
      const where = chooseArea(spec, rng);
      const jitter = spec.jitterHours ? (rng.next() * 2 - 1) * spec.jitterHours : 0;
      const startMs =
        spec.recentHours === undefined
          ? Math.round(windowStart + day * DAY + (spec.localHour + jitter - where.utcOffset) * HOUR)
          : awake(windowEnd - (spec.recentHours - jitter) * HOUR, where.utcOffset);
      if (startMs >= windowEnd || startMs < windowStart) continue;
      const endMs = Math.min(windowEnd, Math.round(startMs + spec.durationHours * HOUR));
      const size = Math.max(
        3,
        Math.round(spec.customers * Math.exp((spec.sizeJitter ?? 0) * rng.normal())),
      );
      const complaintTimes: number[] = [];
      for (let k = 0; k < size; k++) {
        const t = startMs + sampleShape(rng) * spec.durationHours * HOUR;
        if (t < endMs) complaintTimes.push(Math.round(t));
      }
      complaintTimes.sort((a, b) => a - b);
      const id = `${runPrefix}-inc${planned.length + 1}`;
      planned.push({
        incident: {
          id,
          topic: CUSTOMER_FAMILIES[spec.family].topic,
          level: spec.level,
          area: where.area,
          start: new Date(startMs).toISOString(),
          end: new Date(endMs).toISOString(),
          expectedCustomers: complaintTimes.length,
          summary: spec.summary,
        },
        family: spec.family,
        metros: where.metros,
        startMs,
        endMs,
        complaintTimes,
        used: new Set(),
        areaText: where.text,
      });
    }
  }
  return planned;
}

/** `t` if it is daytime in the area (07:00 to 21:00 local), else 20:00 local before it. */
function awake(t: number, utcOffset: number): number {
  const local = t + utcOffset * HOUR;
  const hour = (local - Math.floor(local / DAY) * DAY) / HOUR;
  if (hour >= 7 && hour < 21) return Math.round(t);
  // Back to 20:00 local: the same day's late evening, or the day before's before dawn.
  return Math.round(t - (hour >= 21 ? hour - 20 : hour + 4) * HOUR);
}

/**
 * Where in an incident's span a complaint falls (0–1): a ramp over the first 8 % (people notice
 * and reach for their phones), a plateau, and a tail thinning over the last 30 % as fixes land.
 */
function sampleShape(rng: Rng): number {
  for (;;) {
    const x = rng.next();
    const rise = Math.min(1, x / 0.08);
    const fall = x > 0.7 ? 1 - ((x - 0.7) / 0.3) * 0.75 : 1;
    if (rng.next() < rise * fall) return x;
  }
}

function weightedMetro(rng: Rng, metros: readonly Metro[]): Metro {
  return rng.weighted(metros.map((m) => [m, m.weight] as const));
}

function chooseArea(
  spec: IncidentSpec,
  rng: Rng,
): { area: SimArea; metros: Metro[]; utcOffset: number; text: string } {
  const all = getMetros();
  switch (spec.level) {
    case 'postalCode': {
      const metro = spec.pin?.zip ? metroOfZip(spec.pin.zip) : weightedMetro(rng, all);
      const zip = spec.pin?.zip ?? rng.pick(metro.zips);
      return {
        area: { postalCode: zip, city: metro.city, region: metro.state, country: 'US' },
        metros: [metro],
        utcOffset: metro.utcOffset,
        text: `${zip} (${metro.city})`,
      };
    }
    case 'city': {
      const metro =
        spec.pin?.city && spec.pin.state
          ? findMetro(spec.pin.city, spec.pin.state)
          : weightedMetro(rng, all);
      return {
        area: { postalCode: null, city: metro.city, region: metro.state, country: 'US' },
        metros: [metro],
        utcOffset: metro.utcOffset,
        text: metro.city,
      };
    }
    case 'region': {
      const state = spec.pin?.state ?? weightedMetro(rng, all).state;
      const metros = all.filter((m) => m.state === state);
      if (metros.length === 0) throw new Error(`no metro in state ${state}`);
      return {
        area: { postalCode: null, city: null, region: state, country: 'US' },
        metros,
        utcOffset: metros[0].utcOffset,
        text: metros[0].stateName,
      };
    }
    case 'country':
      return {
        area: { postalCode: null, city: null, region: null, country: 'US' },
        metros: all,
        utcOffset: -6,
        text: 'several areas',
      };
  }
}
