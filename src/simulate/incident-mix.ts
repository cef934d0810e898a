/**
 * Draws a varied incident schedule from the seed, for scenarios that must not be a fixed target
 * (the problems evaluation, issue 6): every simulated week gets its own incidents of log-spread
 * size (8 to 5,000 complaining customers), every area level, durations from half an hour to a
 * day, starts at any hour of any day, named topics and kinds of trouble no topic names.
 *
 * Load stays bounded: exactly one large incident (600–5,000) per week, the rest 8–600.
 * Sizes are what is planned; clipping at the window end can only make an incident smaller.
 */
import { getMetros, type Metro } from './areas.js';
import type { Rng } from './prng.js';
import type { IncidentSpec } from './scenarios.js';
import type { AreaLevel } from './sim.types.js';
import type { CustomerFamily } from './texts.customer.js';

export interface IncidentMix {
  /** Incidents per simulated week, the large one included. */
  perWeek: number;
}

/** What goes wrong, with the share of incidents and a summary for readers of the output. */
const KINDS: readonly (readonly [CustomerFamily, number, string])[] = [
  ['outage', 0.22, 'No service'],
  ['network', 0.16, 'Slow or dropping data and calls'],
  ['billing', 0.1, 'Wrong or double charges'],
  ['device', 0.1, 'Devices failing after an update'],
  ['accountIssue', 0.06, 'Customers locked out of their accounts'],
  ['delivery', 0.06, 'Installers and shipments not arriving'],
  ['service', 0.04, 'Support line failing callers'],
  ['voicemail', 0.06, 'Voicemails not delivered (no known topic)'],
  ['pictureMessages', 0.05, 'Picture and group messages failing (no known topic)'],
  ['callerId', 0.05, 'Outgoing calls flagged as spam (no known topic)'],
  ['tvLineup', 0.05, 'TV channels missing (no known topic)'],
  ['mailbox', 0.05, 'Carrier email down (no known topic)'],
];

/** The smallest level an incident of this size can plausibly have (a ZIP has few customers). */
function levelFor(rng: Rng, size: number): AreaLevel {
  const levels: (readonly [AreaLevel, number])[] = [
    ['postalCode', size <= 150 ? 0.35 : 0],
    ['city', 0.35],
    ['region', size >= 20 ? 0.18 : 0],
    ['country', size >= 40 ? 0.12 : 0],
  ];
  return rng.weighted(levels);
}

const logUniform = (rng: Rng, lo: number, hi: number) =>
  Math.round(Math.exp(Math.log(lo) + rng.next() * (Math.log(hi) - Math.log(lo))));

interface Placed {
  spec: IncidentSpec;
  /** Hours from the window start, roughly (local hour ignores the offset): for overlap checks. */
  from: number;
  to: number;
}

/**
 * The incidents of a `days`-long window. Consumes `rng` in a fixed order, so a seed fully
 * determines them. Two incidents of one family never overlap in time over nested areas (one
 * root cause, one incident), so the ground truth stays unambiguous.
 */
export function drawIncidents(rng: Rng, days: number, mix: IncidentMix): IncidentSpec[] {
  const metros = getMetros();
  const weeks = Math.max(1, Math.round(days / 7));
  const placed: Placed[] = [];
  for (let w = 0; w < weeks; w++) {
    const weekDays = Math.min(7, days - w * 7);
    if (weekDays <= 0) break;
    for (let k = 0; k < mix.perWeek; k++) {
      const size = k === 0 ? logUniform(rng, 600, 5000) : logUniform(rng, 8, 600);
      for (let attempt = 0; attempt < 20; attempt++) {
        const p = drawOne(rng, metros, size, w * 7, weekDays);
        if (!p) break;
        if (placed.some((q) => clash(p, q))) continue;
        placed.push(p);
        break;
      }
    }
  }
  return placed.map((p) => p.spec);
}

function drawOne(
  rng: Rng,
  metros: Metro[],
  size: number,
  firstDay: number,
  weekDays: number,
): Placed | null {
  const [family, , summary] = rng.weighted(KINDS.map((k) => [k, k[1]] as const));
  const level = levelFor(rng, size);
  // Half an hour to a day, log-spread; a very large incident lasts at least an hour.
  const durationHours = Math.max(size > 1000 ? 1 : 0.5, Math.exp(rng.next() * Math.log(48)) / 2);
  // Any hour of any day, but the incident must end inside the window: the latest start leaves
  // room for the duration plus the largest UTC offset (8 h west of UTC).
  const span = weekDays * 24 - durationHours - 8;
  if (span <= 0) return null;
  const startHour = rng.next() * span;
  const day = firstDay + Math.floor(startHour / 24);
  const localHour = startHour - Math.floor(startHour / 24) * 24;
  const metro = rng.weighted(metros.map((m) => [m, m.weight] as const));
  const pin =
    level === 'postalCode'
      ? { zip: rng.pick(metro.zips) }
      : level === 'city'
        ? { city: metro.city, state: metro.state }
        : level === 'region'
          ? { state: metro.state }
          : undefined;
  const spec: IncidentSpec = {
    family,
    level,
    pin,
    day,
    localHour,
    durationHours,
    customers: size,
    summary: `${summary} (${level}, ${size} planned)`,
  };
  const from = day * 24 + localHour;
  return { spec, from, to: from + durationHours + 8 };
}

function clash(a: Placed, b: Placed): boolean {
  if (a.spec.family !== b.spec.family) return false;
  if (a.to <= b.from || b.to <= a.from) return false;
  const pa = a.spec.pin;
  const pb = b.spec.pin;
  // A country-wide incident contains every other; otherwise compare the state (a ZIP or city
  // pin carries its metro's state only for cities, so compare what both have).
  if (!pa || !pb) return true;
  const stateOf = (p: IncidentSpec['pin']) => p?.state ?? (p?.zip ? zipState(p.zip) : undefined);
  return stateOf(pa) === stateOf(pb);
}

function zipState(zip: string): string | undefined {
  return getMetros().find((m) => m.zips.includes(zip))?.state;
}
