import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Capabilities } from '../../platform/db/database.js';
import type { DB } from '../../platform/db/schema.js';
import type { TriageInput, TriageResult } from '../../triage/index.js';
import { classify } from './stages/classify.js';
import { detect, prepareDetect } from './stages/detect.js';
import { identify } from './stages/identify.js';
import { normalise } from './stages/normalise.js';
import { persist } from './stages/persist.js';
import { route } from './stages/route.js';
import { thread } from './stages/thread.js';
import type { BatchState, ClassifiedAhead, PipelineSettings, Stage, WorkItem } from './types.js';

/** The stages, in order. Each reads the batch state and records decisions; `persist` writes. */
export const STAGES: readonly Stage[] = [
  normalise,
  identify,
  classify,
  thread,
  route,
  detect,
  persist,
];

export interface LoggedEvent {
  seq: number;
  received_at: number;
  payload_json: string;
  /** 1 for history (`inbound_events.history`). */
  history?: number | null;
}

export interface RunBatchOptions {
  caps: Capabilities;
  settings: PipelineSettings;
  now: number;
  classify: (input: TriageInput) => TriageResult;
  ahead?: ClassifiedAhead;
  logger?: Logger;
  /** Test seam: called after each stage (fault injection for crash-safety tests). */
  afterStage?: (name: string) => void | Promise<void>;
}

/** Runs all stages over events inside the caller's transaction `trx`. */
export async function runBatch(
  trx: Kysely<DB>,
  events: LoggedEvent[],
  opts: RunBatchOptions,
): Promise<BatchState> {
  const batch: BatchState = {
    items: events.map(toItem),
    customerByIdentity: new Map(),
    newCustomers: [],
    newIdentities: [],
    cases: new Map(),
    latestCaseByCustomer: new Map(),
    messageIndex: new Map(),
    caseEvents: [],
    adoptedReplies: [],
  };
  const ctx = {
    trx,
    caps: opts.caps,
    settings: opts.settings,
    now: opts.now,
    classify: opts.classify,
    ahead: opts.ahead,
    logger: opts.logger,
  };
  await prepareDetect(ctx);
  for (const stage of STAGES) {
    await stage.run(batch, ctx);
    if (opts.afterStage) await opts.afterStage(stage.name);
  }
  return batch;
}

function toItem(e: LoggedEvent): WorkItem {
  return {
    seq: e.seq,
    receivedAt: e.received_at,
    payloadJson: e.payload_json,
    msg: null,
    sentAt: 0,
    direction: 'in',
    visibility: 'public',
    text: '',
    rejected: null,
    duplicate: false,
    customerId: null,
    triage: null,
    caseId: null,
    caseAction: null,
    history: Number(e.history ?? 0) === 1,
  };
}
