import type { ColumnType, Generated } from 'kysely';
import type {
  DetectorBacklogTable,
  DetectorClockTable,
  ProblemEventTable,
  ProblemLinkTable,
  ProblemNotificationTable,
  ProblemSettingsTable,
  ProblemTable,
  ProblemUpdateTable,
} from './schema.problems.js';

export type * from './schema.problems.js';

/**
 * Table types for Kysely. Conventions, kept identical on SQLite and PostgreSQL:
 * - ids are text (UUIDv7: time-ordered, so `ORDER BY id` is creation order);
 * - times are integer epoch milliseconds in `*_at` columns (`bigint`), converted to ISO at the API edge;
 * - structured values are JSON text in `*_json` columns;
 * - every row carries `workspace_id`, the organisation boundary (one workspace per installation today).
 */
export interface DB {
  workspaces: WorkspaceTable;
  users: UserTable;
  sessions: SessionTable;
  api_tokens: ApiTokenTable;
  teams: TeamTable;
  queues: QueueTable;
  channels: ChannelTable;
  inbound_events: InboundEventTable;
  customers: CustomerTable;
  identities: IdentityTable;
  cases: CaseTable;
  messages: MessageTable;
  case_events: CaseEventTable;
  notes: NoteTable;
  outbox: OutboxTable;
  timers: TimerTable;
  audit_log: AuditLogTable;
  counters: CounterTable;
  channel_state: ChannelStateTable;
  channel_marks: ChannelMarkTable;
  message_edits: MessageEditTable;
  problems: ProblemTable;
  problem_links: ProblemLinkTable;
  problem_events: ProblemEventTable;
  problem_updates: ProblemUpdateTable;
  problem_notifications: ProblemNotificationTable;
  problem_settings: ProblemSettingsTable;
  integrations: IntegrationTable;
  triage_corrections: TriageCorrectionTable;
  triage_models: TriageModelTable;
  node_leases: NodeLeaseTable;
  detector_backlog: DetectorBacklogTable;
  detector_clock: DetectorClockTable;
}

/** A process that runs a live pipeline on this database, and when it last said so. */
export interface NodeLeaseTable {
  name: string;
  holder: string;
  heartbeat_at: number;
}

/** Per-workspace sequences (case numbers), bumped atomically with UPDATE … RETURNING. */
export interface CounterTable {
  workspace_id: string;
  name: string;
  value: number;
}

export interface WorkspaceTable {
  id: string;
  name: string;
  is_demo: number;
  created_at: number;
}

export type Role = 'admin' | 'supervisor' | 'agent';
/** An API token's role: a person's, or `integration`, which may only submit inbound messages. */
export type TokenRole = Role | 'integration';

export interface UserTable {
  id: string;
  workspace_id: string;
  email: string;
  name: string;
  role: Role;
  password_hash: string;
  must_change_password: number;
  created_at: number;
  disabled_at: number | null;
}

export interface SessionTable {
  id_hash: string;
  user_id: string;
  created_at: number;
  expires_at: number;
}

export interface ApiTokenTable {
  id: string;
  workspace_id: string;
  name: string;
  token_hash: string;
  role: TokenRole;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  /** Optional end of validity (migration 0016). */
  expires_at: number | null;
  /** The user who created it through the API; disabling them stops it (migration 0016). */
  user_id: string | null;
}

export interface TeamTable {
  id: string;
  workspace_id: string;
  name: string;
  created_at: number;
  /** Who answers for the team's problems (a process problem's owner); null: none named. */
  lead_user_id: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface QueueTable {
  id: string;
  workspace_id: string;
  name: string;
  team_id: string | null;
  is_default: number;
  created_at: number;
}

export interface ChannelTable {
  id: string;
  workspace_id: string;
  kind: string;
  name: string;
  /** Non-secret settings as JSON. */
  config_json: string;
  /** Secrets, encrypted at rest (AES-256-GCM) as JSON of base64 parts. */
  secrets_enc: string | null;
  created_at: number;
  disabled_at: number | null;
}

export type InboundStatus = 'pending' | 'done' | 'parked';

export interface InboundEventTable {
  seq: Generated<number>;
  workspace_id: string;
  channel: string;
  external_id: string;
  received_at: number;
  payload_json: string;
  status: InboundStatus;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  processed_at: number | null;
  /**
   * The message's event time (`sentAt`), for the SLA scheduler's wait on unprocessed events
   * (migration 0020); null when the payload has none (a parked mail) or was logged before.
   */
  sent_at?: number | null;
  /** 1 for history (`throughline import`): recorded as resolved past work (migration 0022). */
  history?: Generated<number>;
}

export interface CustomerTable {
  id: string;
  workspace_id: string;
  display_name: string | null;
  location: string | null;
  /** Largest follower count seen on any identity; reach never sets priority. */
  reach: number;
  merged_into: string | null;
  created_at: number;
  updated_at: number;
  /** When the customer's personal data was erased (migration 0018, `src/privacy`). */
  erased_at?: number | null;
}

export interface IdentityTable {
  id: string;
  workspace_id: string;
  customer_id: string;
  channel: string;
  address: string;
  handle: string | null;
  name: string | null;
  followers: number | null;
  location: string | null;
  verified: number;
  created_at: number;
}

export type CaseStatus = 'new' | 'open' | 'pending' | 'resolved' | 'closed';
export type Priority = 'low' | 'normal' | 'high' | 'urgent';

export interface CaseTable {
  id: string;
  workspace_id: string;
  number: number;
  customer_id: string;
  status: CaseStatus;
  /** For `pending`: `customer` or `internal`. */
  status_reason: string | null;
  priority: Priority;
  queue_id: string | null;
  assignee_id: string | null;
  channel: string;
  subject: string;
  language: string | null;
  opened_at: number;
  last_message_at: number;
  last_inbound_at: number | null;
  first_response_at: number | null;
  resolved_at: number | null;
  closed_at: number | null;
  message_count: number;
  version: number;
  created_at: number;
  updated_at: number;
  /** Wall time its `last_message_at` last changed, kept by a trigger (migration 0015). */
  inbox_moved_at: number | null;
  /** When the case's personal data was erased (migration 0018, `src/privacy`). */
  erased_at?: number | null;
}

export interface MessageTable {
  id: string;
  workspace_id: string;
  case_id: string | null;
  customer_id: string | null;
  channel: string;
  channel_id: string | null;
  external_id: string;
  direction: 'in' | 'out';
  visibility: 'public' | 'private';
  author_address: string;
  author_name: string | null;
  text: string;
  sent_at: number;
  received_at: number;
  in_reply_to: string | null;
  conversation_id: string | null;
  language: string | null;
  attachments_json: string;
  triage_json: string | null;
  /** Unused by the pipeline: a message's raw provider payload lives in its inbound event. */
  raw_json: string | null;
  /** Outbound delivery status: queued, sent, delivered, read, failed; `received` for inbound. */
  status: string;
  user_id: string | null;
  deleted_at: number | null;
  unsolicited: number;
}

export interface CaseEventTable {
  id: string;
  workspace_id: string;
  case_id: string;
  type: string;
  actor_type: 'system' | 'user' | 'token';
  actor_id: string | null;
  data_json: string;
  /** Wall time the change was recorded. */
  created_at: number;
  /** Event time it refers to (message time for pipeline changes). */
  event_at: number;
}

export interface NoteTable {
  id: string;
  workspace_id: string;
  case_id: string;
  author_id: string | null;
  body: string;
  mentions_json: string;
  created_at: number;
}

export interface OutboxTable {
  id: string;
  workspace_id: string;
  kind: string;
  idempotency_key: string;
  payload_json: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

export interface TimerTable {
  id: string;
  workspace_id: string;
  kind: string;
  ref_id: string;
  due_at: number;
  status: 'pending' | 'fired' | 'cancelled';
  created_at: number;
  /**
   * An event-time timer (an SLA deadline) is not due while the inbound log holds an unprocessed
   * event between this time and `due_at` (migration 0020, `scheduler.ts`); null: wall time only.
   */
  hold_from?: number | null;
}

export interface AuditLogTable {
  id: string;
  workspace_id: string;
  actor_type: string;
  actor_id: string | null;
  action: string;
  target: string | null;
  data_json: string;
  created_at: number;
}

/** Health and polling state of one channel (migration 0002, owned by src/channels). */
export interface ChannelStateTable {
  channel_id: string;
  workspace_id: string;
  /** ok, degraded (recent errors) or auth_revoked (needs an admin to reconnect). */
  health: string;
  last_event_at: number | null;
  last_error: string | null;
  last_error_at: number | null;
  errors_total: number;
  rate_limit_json: string;
  cursors_json: string;
  updated_at: number;
}

/**
 * A provider event that changes a stored message (deleted, delivered, read, failed), kept until
 * the message exists so out-of-order deliveries still land (migration 0002).
 */
export interface ChannelMarkTable {
  id: string;
  workspace_id: string;
  channel: string;
  external_id: string;
  kind: string;
  at: number;
  created_at: number;
  applied_at: number | null;
}

/** A provider edit waiting for, or applied to, its message (migration 0021). */
export interface MessageEditTable {
  id: string;
  workspace_id: string;
  channel: string;
  edit_key: string;
  prior_ids: string;
  new_external_id: string | null;
  text: string;
  at: number;
  created_at: number;
  applied_at: number | null;
}

/** An escalation target (webhook, jira, pagerduty, slack); secrets encrypted like channels'. */
export interface IntegrationTable {
  id: string;
  workspace_id: string;
  kind: string;
  name: string;
  config_json: string;
  secrets_enc: string | null;
  created_at: number;
  disabled_at: number | null;
}

/** An agent's correction of a message's triage (topic and/or complaint flag). */
export interface TriageCorrectionTable {
  id: string;
  workspace_id: string;
  message_id: string;
  topic: string | null;
  /** 1 complaint, 0 not, null when the agent corrected only the topic. */
  complaint: number | null;
  previous_json: string;
  user_id: string | null;
  /** The API token that made it, when no person did (migration 0014). */
  token_id: string | null;
  created_at: number;
}

/** One version of the installation's triage model: shipped model + corrections up to the last. */
export interface TriageModelTable {
  id: string;
  workspace_id: string;
  version: string;
  base_version: string;
  corrections: number;
  last_correction_id: string | null;
  created_at: number;
}
