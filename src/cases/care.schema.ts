import type { Generated } from 'kysely';

/**
 * Table types of the care core (migration 0003_care), added to the backbone's `DB` by module
 * augmentation so the care core owns its tables without editing the shared schema file. New
 * columns on backbone tables have defaults and are `Generated` or optional, so backbone code
 * that builds rows without them stays valid.
 */
declare module '../platform/db/schema.js' {
  interface DB {
    customer_merges: CustomerMergeTable;
    match_suggestions: MatchSuggestionTable;
    routing_rules: RoutingRuleTable;
    queue_members: QueueMemberTable;
    agent_profiles: AgentProfileTable;
    reputation_alerts: ReputationAlertTable;
    sla_calendars: SlaCalendarTable;
    sla_policies: SlaPolicyTable;
    case_sla: CaseSlaTable;
    sla_events: SlaEventTable;
    promises: PromiseTable;
    csat_surveys: CsatSurveyTable;
    canned_replies: CannedReplyTable;
    macros: MacroTable;
    presence: PresenceTable;
  }
  interface CustomerTable {
    /** Free attributes routing rules can match (`{"tier":"business"}`). */
    attributes_json?: string;
  }
  interface IdentityTable {
    /** `phone:+E164` or `email:lower@case` when the identifier is verified by its channel. */
    link_key?: string | null;
  }
  interface CaseTable {
    topic: Generated<string | null>;
    priority_score: Generated<number>;
    /** Surge grouping key (e.g. `outage:94110`); cases with one key are worked together. */
    group_key: Generated<string | null>;
    // No `problem_id`: a case's problems are its live `problem_links` (migration 0024).
    reopen_count: Generated<number>;
    escalated: Generated<number>;
  }
  interface QueueTable {
    /** manual, round_robin or load_balanced. */
    assignment_mode: Generated<string>;
  }
}

export interface CustomerMergeTable {
  id: string;
  workspace_id: string;
  survivor_id: string;
  merged_id: string;
  actor_type: string;
  actor_id: string | null;
  reason: string;
  snapshot_json: string;
  created_at: number;
  undone_at: number | null;
  undone_by: string | null;
  undo_reason: string | null;
}

export interface MatchSuggestionTable {
  id: string;
  workspace_id: string;
  /** The pair is stored ordered (a < b) so one pair has one row per kind. */
  customer_a: string;
  customer_b: string;
  kind: string;
  score: number;
  evidence_json: string;
  status: 'open' | 'accepted' | 'dismissed';
  decided_by: string | null;
  decided_at: number | null;
  created_at: number;
}

export interface RoutingRuleTable {
  id: string;
  workspace_id: string;
  name: string;
  position: number;
  conditions_json: string;
  queue_id: string;
  enabled: number;
  created_at: number;
}

export interface QueueMemberTable {
  queue_id: string;
  user_id: string;
  workspace_id: string;
}

export type Availability = 'online' | 'away' | 'offline';

export interface AgentProfileTable {
  user_id: string;
  workspace_id: string;
  availability: Availability;
  capacity: number;
  skills_json: string;
  team_id: string | null;
  last_assigned_at: number | null;
  updated_at: number;
}

export interface ReputationAlertTable {
  id: string;
  workspace_id: string;
  customer_id: string;
  case_id: string | null;
  channel: string;
  external_id: string;
  followers: number;
  excerpt: string;
  sent_at: number;
  acknowledged_at: number | null;
  acknowledged_by: string | null;
  created_at: number;
}

export interface SlaCalendarTable {
  id: string;
  workspace_id: string;
  name: string;
  time_zone: string;
  hours_json: string;
  holidays_json: string;
  created_at: number;
}

export interface SlaPolicyTable {
  id: string;
  workspace_id: string;
  name: string;
  priority: string;
  channel: string | null;
  calendar_id: string | null;
  first_response_minutes: number | null;
  next_response_minutes: number | null;
  resolution_minutes: number | null;
  at_risk_percent: number;
  created_at: number;
}

export interface CaseSlaTable {
  case_id: string;
  workspace_id: string;
  policy_id: string | null;
  calendar_json: string;
  clocks_json: string;
  paused_at: number | null;
  next_due_at: number | null;
  updated_at: number;
}

export interface SlaEventTable {
  id: string;
  workspace_id: string;
  case_id: string;
  clock: string;
  kind: 'at_risk' | 'breached';
  due_at: number;
  channel: string;
  created_at: number;
}

export type PromiseStatus = 'open' | 'kept' | 'broken' | 'cancelled';

export interface PromiseTable {
  id: string;
  workspace_id: string;
  case_id: string;
  customer_id: string;
  kind: string;
  description: string;
  due_at: number;
  remind_at: number | null;
  channel: string | null;
  address: string | null;
  owner_user_id: string | null;
  owner_team_id: string | null;
  status: PromiseStatus;
  created_by: string | null;
  created_at: number;
  reminded_at: number | null;
  settled_at: number | null;
  settled_by: string | null;
  settled_how: string | null;
}

export interface CsatSurveyTable {
  id: string;
  workspace_id: string;
  case_id: string;
  customer_id: string;
  channel: string;
  agent_id: string | null;
  token: string;
  sent_at: number;
  rating: number | null;
  comment: string | null;
  answered_at: number | null;
  /** The survey's message (migration 0025): failed, the customer was never asked. */
  message_id: string | null;
}

export interface CannedReplyTable {
  id: string;
  workspace_id: string;
  name: string;
  shortcut: string | null;
  body: string;
  created_at: number;
}

export interface MacroTable {
  id: string;
  workspace_id: string;
  name: string;
  actions_json: string;
  created_at: number;
}

export interface PresenceTable {
  case_id: string;
  user_id: string;
  workspace_id: string;
  user_name: string;
  state: 'viewing' | 'typing';
  expires_at: number;
}
