import type { Kysely } from 'kysely';
import { inChunks } from '../platform/db/chunks.js';
import type { DB } from '../platform/db/schema.js';
import type { TriageResult } from '../triage/index.js';
import { votingTopic } from './detector/book.js';
import type { DetectorConfig } from './detector/config.js';
import { Detector, type ProblemKind } from './detector/detector.js';
import { storedProcessSignals, storedReopenings } from './stored-signals.js';

/** What the detector reads of a stored message, in catch-up and in rebuilds alike. */
export const STREAM_COLUMNS = [
  'channel',
  'external_id',
  'author_address',
  'customer_id',
  'case_id',
  'sent_at',
  'text',
  'triage_json',
] as const;

const DAY = 86_400_000;

/** One inbound customer message for the detector, from the batch or from storage. */
export interface DetectorInput {
  ref: string;
  channel: string;
  externalId: string;
  at: number;
  customerId: string;
  caseId: string | null;
  address: string | null;
  triage: TriageResult | null;
  text: string;
  /** Its case was resolved and this message reopened it. */
  reopened: boolean;
  queueId: string | null;
  /** When it reached the desk (wall time; this node's own messages only): see event-clock.ts. */
  receivedAt?: number;
}

/**
 * Rebuilds the detector from stored recent history without re-deciding anything. Messages in
 * `skip` (held for the detector by another node, not yet decided on) are left out: they are
 * observed, and decided on, next.
 */
export async function warmDetector(
  trx: Kysely<DB>,
  ws: string,
  at: number,
  config: Partial<DetectorConfig> | undefined,
  warmupDays = 14,
  chunkRows = 5_000,
  skip: ReadonlySet<string> = new Set(),
): Promise<Detector> {
  const det = new Detector({ ...config });
  const since = at - warmupDays * DAY;
  const links = await trx
    .selectFrom('problem_links')
    .innerJoin('problems', 'problems.id', 'problem_links.problem_id')
    .select([
      'problem_links.case_id',
      'problem_links.problem_id',
      'problem_links.linked_at',
      'problem_links.source',
      'problems.kind',
      'problems.detected_at',
    ])
    .where('problem_links.workspace_id', '=', ws)
    .where('problem_links.unlinked_at', 'is', null)
    .where('problem_links.linked_at', '>=', since)
    .orderBy('problem_links.linked_at')
    .execute();
  /** Case → its automatic link, whose complaint (sent at `linked_at`) cast a topic vote. */
  const joined = new Map<string, (typeof links)[number]>();
  for (const l of links) {
    det.noteCaseLink(l.case_id, l.problem_id);
    // When each case joined, as the detector that linked it noted it: whether a fix held is
    // judged against the customers who joined before it (fix-check.ts), and those joined
    // before this detector was built.
    if (l.source === 'auto' && l.linked_at <= at) {
      det.noteJoined(l.problem_id, l.linked_at);
      joined.set(l.case_id, l);
    }
  }
  const stored = trx
    .selectFrom('messages')
    .select(STREAM_COLUMNS)
    .where('workspace_id', '=', ws)
    .where('direction', '=', 'in')
    .where('sent_at', '>=', since)
    .where('sent_at', '<=', at)
    .orderBy('sent_at')
    .orderBy('id');
  det.silent = true;
  // Teams' breaches, broken promises and repeat contacts, in event time among the messages:
  // each team's usual rate, so ordinary ones after a restart are not a spike.
  const signals = await storedProcessSignals(trx, ws, since, at);
  const reopenings = await storedReopenings(trx, ws, since, at);
  let next = 0;
  const signalsUpTo = (t: number) => {
    while (next < signals.length && signals[next].at <= t) det.observeProcess(signals[next++]);
  };
  // In chunks: weeks of history are up to millions of messages (see inChunks).
  for await (const rows of inChunks(trx, stored, chunkRows)) {
    for (const r of rows) {
      signalsUpTo(r.sent_at);
      if (!r.customer_id || !r.triage_json) continue;
      const ref = `${r.channel}\u0000${r.external_id}`;
      if (skip.has(ref)) continue;
      const tri = JSON.parse(r.triage_json) as TriageResult;
      const link = r.case_id ? joined.get(r.case_id) : undefined;
      if (link && Number(link.linked_at) === r.sent_at && tri.complaint && !tri.spam)
        restoreVote(det, link, tri.topic);
      det.observe({
        ref,
        at: r.sent_at,
        customerId: r.customer_id,
        caseId: r.case_id,
        address: r.author_address,
        area: tri.area,
        complaint: tri.complaint && !tri.spam,
        topic: tri.topic,
        text: r.text,
      });
      const back = tri.complaint ? reopenings.get(ref) : undefined;
      if (back)
        det.observeProcess({
          ref: `repeat:${r.channel}:${r.external_id}`,
          kind: 'repeat_contact',
          teamId: back.teamId,
          at: r.sent_at,
          customerId: r.customer_id,
          caseId: back.caseId,
        });
    }
  }
  signalsUpTo(at);
  det.silent = false;
  return det;
}

/**
 * The topic vote a stored automatic link cast (apply-decisions stores the tally, not who cast
 * what): the complaint the link was made for is the case's message sent at `linked_at`, and it
 * voted as `votingTopic` says. The detector that linked it knew this in memory only, so a
 * rebuilt one moving the case (`split-topic.ts`) took back no vote and the old problem's settled
 * topic stayed skewed by complainers it no longer holds.
 */
function restoreVote(
  det: Detector,
  link: {
    case_id: string;
    problem_id: string;
    kind: string;
    detected_at: number;
    linked_at: number;
  },
  topic: string | null | undefined,
) {
  const p = { kind: link.kind as ProblemKind, detectedAt: Number(link.detected_at) };
  const vote = votingTopic(p, topic, Number(link.linked_at), det.config.topicSettleMs);
  if (vote) det.restoreVote(link.case_id, link.problem_id, vote);
}

/** The team owning each case's queue (the batch's routing decision first, else storage). */
export async function teamsOfCases(
  trx: Kysely<DB>,
  ws: string,
  items: DetectorInput[],
): Promise<Map<string, string>> {
  const queueOf = new Map<string, string>();
  const missing: string[] = [];
  for (const i of items) {
    if (!i.caseId) continue;
    if (i.queueId) queueOf.set(i.caseId, i.queueId);
    else missing.push(i.caseId);
  }
  if (missing.length > 0) {
    const rows = await trx
      .selectFrom('cases')
      .select(['id', 'queue_id'])
      .where('workspace_id', '=', ws)
      .where('id', 'in', missing)
      .execute();
    for (const r of rows) if (r.queue_id) queueOf.set(r.id, r.queue_id);
  }
  const queueIds = [...new Set(queueOf.values())];
  const teamOf = new Map<string, string>();
  if (queueIds.length > 0) {
    const qs = await trx
      .selectFrom('queues')
      .select(['id', 'team_id'])
      .where('workspace_id', '=', ws)
      .where('id', 'in', queueIds)
      .execute();
    for (const q of qs) if (q.team_id) teamOf.set(q.id, q.team_id);
  }
  const out = new Map<string, string>();
  for (const [c, q] of queueOf) {
    const t = teamOf.get(q);
    if (t) out.set(c, t);
  }
  return out;
}
