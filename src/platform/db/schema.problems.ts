import type { Generated } from 'kysely';

/**
 * Table types of root-cause problems (migrations 0005, 0007, 0011, 0012, 0026; owned by src/problems), split
 * from schema.ts to keep files small. Same conventions as there.
 */
/** A root-cause problem (migration 0005, owned by src/problems). Times: `*_at` epoch ms. */
export interface ProblemTable {
  id: string;
  workspace_id: string;
  number: number;
  /** suspected, confirmed, fixing, fixed, verified, closed. */
  status: string;
  /** area (topic × area spike), text (similar complaints), process (team), manual. */
  kind: string;
  title: string;
  topic: string | null;
  area_json: string | null;
  area_key: string | null;
  /** What new complaints are matched against (terms for text clusters, team for process). */
  signature_json: string | null;
  owner_team_id: string | null;
  owner: string | null;
  external_refs_json: string;
  baseline_json: string | null;
  /** Event time the detector raised it (or creation time for manual problems). */
  detected_at: number;
  first_event_at: number;
  last_event_at: number;
  customer_count: number;
  message_count: number;
  still_broken_count: number;
  eta_at: number | null;
  merged_into: string | null;
  /** Wall time it was marked fixed (shown; times the fix notices). */
  fixed_at: number | null;
  /** The same moment in event time, the detector's clock (`event-clock.ts`; migration 0012). */
  fixed_event_at: number | null;
  closed_at: number | null;
  version: number;
  created_at: number;
  updated_at: number;
}

export interface ProblemLinkTable {
  id: string;
  workspace_id: string;
  problem_id: string;
  case_id: string;
  customer_id: string;
  /** auto (detector) or manual (agent). */
  source: string;
  linked_at: number;
  unlinked_at: number | null;
  /** Wall time at which a pending-customer case resolves after a fix, unless the customer answers. */
  resolve_due_at: number | null;
  /** Event time its customer last said the fix did not work (counted once per fix). */
  still_broken_at: number | null;
  created_at: number;
}

export interface ProblemEventTable {
  id: string;
  workspace_id: string;
  problem_id: string;
  type: string;
  actor_type: string;
  actor_id: string | null;
  data_json: string;
  created_at: number;
  event_at: number;
}

export interface ProblemUpdateTable {
  id: string;
  workspace_id: string;
  problem_id: string;
  status: string;
  body: string;
  eta_at: number | null;
  author: string | null;
  created_at: number;
  /** 1: posted with `silent` (customers were not messaged); 0: sent to them (migration 0026). */
  silent: Generated<number>;
}

/** One customer's copy of one status update: where it went and whether it arrived. */
export interface ProblemNotificationTable {
  id: string;
  workspace_id: string;
  problem_id: string;
  update_id: string;
  case_id: string;
  customer_id: string;
  text: string;
  /** queued, sent, failed, undeliverable. */
  status: string;
  channel: string | null;
  address: string | null;
  message_id: string | null;
  error: string | null;
  created_at: number;
  sent_at: number | null;
}

export interface ProblemSettingsTable {
  workspace_id: string;
  settings_json: string;
  updated_at: number;
}

/** An inbound message stored while another node detected, not yet seen by the detector. */
export interface DetectorBacklogTable {
  workspace_id: string;
  channel: string;
  external_id: string;
  seq: number;
  sent_at: number;
  /** The message reopened its resolved case (a repeat contact). */
  reopened: number;
}

/** Per workspace, the latest event time the detector has seen, and when that message arrived. */
export interface DetectorClockTable {
  workspace_id: string;
  event_at: number;
  wall_at: number;
}
