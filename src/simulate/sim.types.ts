import type { InboundMessage } from '../ingest/inbound.schema.js';

export const SIM_TOPICS = [
  'network',
  'outage',
  'billing',
  'account',
  'device',
  'service',
  'delivery',
  'praise',
  'other',
] as const;
export type SimTopic = (typeof SIM_TOPICS)[number];

/** A place. Fields finer than an incident's level are null (e.g. a city-wide outage has no ZIP). */
export interface SimArea {
  postalCode: string | null;
  city: string | null;
  /** US state code, e.g. `CA`. */
  region: string | null;
  country: string;
}

export type AreaLevel = 'postalCode' | 'city' | 'region' | 'country';

/** Ground truth of one generated message. */
export interface SimTruth {
  /** The person behind the message (stable across their channels), or the brand for agent replies. */
  customerKey: string;
  /** True for a customer message that complains; agent replies are never complaints. */
  complaint: boolean;
  topic: SimTopic;
  /** Where the customer lives (their home ZIP); absent on agent replies. */
  area?: SimArea;
  /** Set on every message of a conversation that an injected incident caused. */
  incidentId?: string;
}

export interface SimIncident {
  id: string;
  topic: SimTopic;
  level: AreaLevel;
  area: SimArea;
  /** ISO-8601, event time. */
  start: string;
  end: string;
  /** Distinct customers whose first complaint about it falls inside [start, end]. */
  expectedCustomers: number;
  /** A short description for people reading the output (not used by detection). */
  summary: string;
}

export type SimEvent =
  | { type: 'message'; message: InboundMessage; truth: SimTruth }
  | { type: 'incident'; incident: SimIncident };

export interface SimulateOptions {
  scenario: string;
  seed: number;
  /** Overrides the scenario's length; incident schedules repeat weekly where the scenario says so. */
  days?: number;
  /** ISO-8601 start of the simulated window; defaults to the scenario's (a fixed Monday). */
  start?: string;
}
