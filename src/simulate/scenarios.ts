/**
 * The named scenarios. Incident areas are drawn from the seed unless pinned, so several seeds of
 * one scenario give independent test cases for problem detection (issue 6).
 */

import type { IncidentMix } from './incident-mix.js';
import type { AreaLevel } from './sim.types.js';
import type { CustomerFamily } from './texts.customer.js';

export interface IncidentSpec {
  /** What affected customers write about (the family's topic is the incident's topic). */
  family: CustomerFamily;
  level: AreaLevel;
  /** Fixes the area; otherwise it is drawn from the seed. `zip` for postalCode, `city`+`state`, or `state`. */
  pin?: { zip?: string; city?: string; state?: string };
  /** Day index from the start (0 = first day) and local hour of the area (fractional hours allowed). */
  day: number;
  localHour: number;
  /**
   * Starts this many hours before the window ends instead (`day` and `localHour` are ignored),
   * moved back to the area's evening if that falls in its night: the first-start demo runs up to
   * now, and its outage should be recent, not a day old, whatever hour the desk starts.
   */
  recentHours?: number;
  /** ± hours of seed-drawn jitter on the start. */
  jitterHours?: number;
  durationHours: number;
  /** Distinct customers who complain (before size jitter and clipping at the window end). */
  customers: number;
  /** Sigma of a log-normal size factor; 0 keeps `customers` exact. */
  sizeJitter?: number;
  summary: string;
}

export interface ScenarioDef {
  name: string;
  description: string;
  days: number;
  /** ISO start of the window: a Monday 00:00 UTC. */
  start: string;
  /** Weekly-average baseline conversations (first contacts) per day. */
  conversationsPerDay: number;
  incidents: IncidentSpec[];
  /** When `days` exceeds this, the incident schedule repeats with fresh areas every this many days. */
  repeatEveryDays?: number;
  /** Draw the incidents from the seed instead (incident-mix.ts); `incidents` is then ignored. */
  mix?: IncidentMix;
  /**
   * Render for people reading a desk (the first-start demo), not for measurement: a brand that
   * answers nearly everything, fast and around the clock; agent texts that fit the channel (no
   * "DM us" on a call or an e-mail); e-mail subjects; a returned call that names the call it
   * returns. Changes the stream and its PRNG draws, so measured scenarios (eval) never take it.
   */
  showcase?: boolean;
}

const MONDAY = '2025-03-03T00:00:00.000Z';

export const SCENARIOS: readonly ScenarioDef[] = [
  {
    name: 'demo',
    description:
      'Two days of ordinary traffic with one outage around ZIP 94110 (San Francisco) in its last hours',
    days: 2,
    start: MONDAY,
    // The demo runs up to now (demo.loader.ts), up to three days: a volume that loads in seconds.
    conversationsPerDay: 130,
    showcase: true,
    incidents: [
      {
        family: 'outage',
        level: 'postalCode',
        pin: { zip: '94110' },
        day: 1,
        localHour: 8 + 10 / 60,
        recentHours: 4,
        durationHours: 2.5,
        customers: 45,
        summary: 'Fibre cut: no service around ZIP 94110',
      },
    ],
  },
  {
    name: 'outage',
    description: 'One weekday with a big city-wide outage in the morning',
    days: 1,
    start: MONDAY,
    conversationsPerDay: 600,
    incidents: [
      {
        family: 'outage',
        level: 'city',
        day: 0,
        localHour: 8 + 10 / 60,
        jitterHours: 1,
        durationHours: 3,
        customers: 320,
        sizeJitter: 0.15,
        summary: 'Core router failure: no service across a city',
      },
    ],
  },
  {
    name: 'week',
    description: 'Seven days of baseline with incidents of several topics, sizes and area levels',
    days: 7,
    start: MONDAY,
    conversationsPerDay: 500,
    repeatEveryDays: 7,
    incidents: [
      i('outage', 'postalCode', 1, 8.2, 2.5, 40, 'No service in one ZIP'),
      i('network', 'city', 2, 13, 6, 30, 'Slow data across a city'),
      i('delivery', 'city', 3, 9, 8, 12, 'Installers missing appointments in a city'),
      i('billing', 'region', 3, 18, 12, 60, 'Double charges for customers in one state'),
      i('device', 'country', 4, 10, 10, 45, 'Router firmware update makes gateways reboot'),
      i('outage', 'postalCode', 5, 15, 1.5, 10, 'Short weekend outage in one ZIP'),
      i('voicemail', 'city', 6, 9.5, 6, 16, 'Voicemails not delivered (no known topic)'),
    ],
  },
  {
    name: 'load',
    description:
      'One day at very high volume (about 120k messages) with two large incidents, for benchmarks',
    days: 1,
    start: MONDAY,
    conversationsPerDay: 40_000,
    incidents: [
      i('outage', 'city', 0, 9, 3, 5000, 'Large city-wide outage'),
      i('network', 'region', 0, 14, 6, 1000, 'State-wide data slowdown'),
    ],
  },
  {
    name: 'eval',
    description:
      'Four weeks of baseline with 8 seed-drawn incidents a week (8 to 5,000 complainers, every area level, 30 min to a day, some with no known topic), for the problems evaluation',
    days: 28,
    start: MONDAY,
    conversationsPerDay: 500,
    incidents: [],
    mix: { perWeek: 8 },
  },
];

function i(
  family: CustomerFamily,
  level: AreaLevel,
  day: number,
  localHour: number,
  durationHours: number,
  customers: number,
  summary: string,
): IncidentSpec {
  return {
    family,
    level,
    day,
    localHour,
    durationHours,
    customers,
    summary,
    jitterHours: 2,
    sizeJitter: 0.25,
  };
}

/** Name, description and default length of every scenario. */
export function listScenarios(): { name: string; description: string; days: number }[] {
  return SCENARIOS.map(({ name, description, days }) => ({ name, description, days }));
}

export function getScenario(name: string): ScenarioDef {
  const found = SCENARIOS.find((s) => s.name === name);
  if (!found) {
    throw new Error(
      `unknown scenario "${name}"; known scenarios: ${SCENARIOS.map((s) => s.name).join(', ')}`,
    );
  }
  return found;
}
