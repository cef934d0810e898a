import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Capabilities } from '../../platform/db/database.js';
import type {
  CaseStatus,
  CustomerTable,
  DB,
  IdentityTable,
  Priority,
} from '../../platform/db/schema.js';
import type { TriageInput, TriageResult } from '../../triage/index.js';
import type { InboundMessage } from '../inbound.schema.js';

/** One inbound event travelling through the stages; stages fill in their decisions. */
export interface WorkItem {
  seq: number;
  receivedAt: number;
  payloadJson: string;
  /** Set by normalise; null when the payload is unusable (the event is parked). */
  msg: InboundMessage | null;
  /** Event time in epoch ms (the message's own time, never wall time). */
  sentAt: number;
  direction: 'in' | 'out';
  visibility: 'public' | 'private';
  text: string;
  /** Why this event cannot be processed; it is parked with this reason. */
  rejected: string | null;
  /** A message with this (channel, external id) is already stored: nothing to do. */
  duplicate: boolean;
  customerId: string | null;
  triage: TriageResult | null;
  caseId: string | null;
  /** `acknowledged`: a closing reply joined a pending or resolved case and left its status. */
  caseAction: 'created' | 'joined' | 'reopened' | 'acknowledged' | 'orphan' | null;
  /**
   * Logged as history (`throughline import`): it changes no case's status, starts no SLA clock,
   * raises no alert, and a case it opens is resolved at its time.
   */
  history: boolean;
}

/** A case as the batch sees it: loaded from storage or created by this batch. */
export interface CaseState {
  id: string;
  customerId: string;
  status: CaseStatus;
  statusReason: string | null;
  priority: Priority;
  queueId: string | null;
  channel: string;
  subject: string;
  language: string | null;
  openedAt: number;
  lastMessageAt: number;
  lastInboundAt: number | null;
  firstResponseAt: number | null;
  resolvedAt: number | null;
  isNew: boolean;
  dirty: boolean;
  addedMessages: number;
  /** Opened by a history message: resolved from the start, no SLA clocks, not assigned. */
  history?: boolean;
  /**
   * A stored case another customer's reply opened before the post it answers arrived; that post
   * took it over (thread.replies-first.ts): persisted as its new customer, opening, subject,
   * language and the post's topic.
   */
  rerooted?: { from: string; triage: TriageResult | null };
  /** Set by the route stage (care core) for cases it created: persisted with the new row. */
  routing?: { topic: string | null; priorityScore: number; groupKey: string | null };
}

export interface CaseEventDraft {
  caseId: string;
  type: string;
  data: Record<string, unknown>;
  eventAt: number;
}

export interface BatchState {
  items: WorkItem[];
  /** `${channel}\0${address}` → customer id. */
  customerByIdentity: Map<string, string>;
  newCustomers: CustomerTable[];
  newIdentities: IdentityTable[];
  cases: Map<string, CaseState>;
  /** Customer id → the customer's most recent non-closed case id. */
  latestCaseByCustomer: Map<string, string>;
  /** `${channel}\0${externalId}` → where that message lives (stored or in this batch). */
  messageIndex: Map<string, { caseId: string | null; customerId: string | null }>;
  caseEvents: CaseEventDraft[];
  /** Stored brand replies kept as orphans that now join the case of the post they answer. */
  adoptedReplies: { messageId: string; caseId: string; customerId: string; sentAt: number }[];
}

export interface PipelineSettings {
  workspaceId: string;
  threadWindowMs: number;
  reopenWindowMs: number;
  defaultQueueId: string | null;
}

export interface StageContext {
  trx: Kysely<DB>;
  caps: Capabilities;
  settings: PipelineSettings;
  /** Wall clock, used only for bookkeeping columns (received/processed/created). */
  now: number;
  classify: (input: TriageInput) => TriageResult;
  /** Answers computed ahead of the batch, off the main thread (src/triage/classify-ahead.ts). */
  ahead?: ClassifiedAhead;
  /** The app's logger, for what a stage meets that a person should know (an unusable calendar). */
  logger?: Logger;
}

/** Triage answers prepared before their batch; anything it lacks is classified inline. */
export interface ClassifiedAhead {
  /** Waits (bounded) for answers still being computed for these events. */
  settle(seqs: number[]): Promise<void>;
  /** The answer for event `seq` if it was computed from this payload on the current model. */
  take(seq: number, payloadJson: string): TriageResult | undefined;
  /** Starts computing answers for events the pipeline is about to take. */
  submit(events: { seq: number; payload_json: string }[]): void;
}

export interface Stage {
  name: string;
  run(batch: BatchState, ctx: StageContext): Promise<void> | void;
}

export const key = (channel: string, id: string) => `${channel}\u0000${id}`;
