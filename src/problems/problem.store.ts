import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import { allocate } from '../ingest/pipeline/stages/persist.js';
import type { DB, ProblemTable } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import { areaChain, chainOfKey } from './detector/areas.js';
import type { ProblemKind, ProblemView } from './detector/detector.js';
import type { TopicShare } from './detector/types.js';

/** Statuses in lifecycle order; `closed` ends it (and may be reopened). */
export const PROBLEM_STATUSES = [
  'suspected',
  'confirmed',
  'fixing',
  'fixed',
  'verified',
  'closed',
] as const;
export type ProblemStatus = (typeof PROBLEM_STATUSES)[number];

export interface ProblemArea {
  postalCode: string | null;
  city: string | null;
  region: string | null;
  country: string | null;
}

/** What the detector and the matcher need beyond the columns. */
export interface Signature {
  keys: string[];
  terms: string[];
  teamId: string | null;
  /** A person acted on it: never expires on its own. */
  human: boolean;
  /** Cases per complaint topic in its first day (see `ProblemView.votes`). */
  votes?: Record<string, number>;
  /** Raised on its place's every topic, no topic having half its complaints (`topicMix`). */
  mix?: TopicShare[];
}

export function signatureOf(row: Pick<Selectable<ProblemTable>, 'signature_json'>): Signature {
  const s = row.signature_json ? (JSON.parse(row.signature_json) as Partial<Signature>) : {};
  return {
    keys: s.keys ?? [],
    terms: s.terms ?? [],
    teamId: s.teamId ?? null,
    human: !!s.human,
    votes: s.votes ?? {},
    ...(s.mix ? { mix: s.mix } : {}),
  };
}

export function toView(row: Selectable<ProblemTable>): ProblemView {
  const sig = signatureOf(row);
  const area = row.area_json ? (JSON.parse(row.area_json) as ProblemArea) : null;
  return {
    id: row.id,
    kind: row.kind as ProblemKind,
    status: row.status,
    topic: row.topic,
    areaKey: row.area_key,
    keys: [...sig.keys],
    chain: row.area_key ? chainOfKey(row.area_key, area ? { ...area } : null) : [],
    shownKey: area ? areaChain({ ...area })[0] : row.area_key,
    lastEventAt: row.last_event_at,
    detectedAt: row.detected_at,
    fixedAt: row.fixed_event_at,
    human: sig.human,
    votes: { ...sig.votes },
  };
}

/** Open problems (everything not closed and not merged away), for the detector. */
/**
 * The workspace's open problems. `lock` (PostgreSQL, where a person's change can commit while a
 * pipeline batch is working) holds their rows until the batch commits, in id order: the batch
 * writes signatures and statuses from what it read here, so a person's link, merge or status
 * change waits for it instead of being overwritten by it.
 */
export async function openProblems(db: Kysely<DB>, workspaceId: string, lock = false) {
  const q = db
    .selectFrom('problems')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('status', '!=', 'closed');
  return lock ? q.orderBy('id').forUpdate().execute() : q.execute();
}

export interface NewProblem {
  id?: string;
  kind: ProblemKind;
  status: ProblemStatus;
  title: string;
  topic: string | null;
  area: ProblemArea | null;
  areaKey: string | null;
  signature: Signature;
  owner: string | null;
  /** The owner team's id when it is a team of this workspace. */
  ownerTeamId?: string | null;
  baseline: unknown;
  detectedAt: number;
  firstEventAt: number;
}

export async function insertProblem(
  trx: Kysely<DB>,
  workspaceId: string,
  p: NewProblem,
  now: number,
): Promise<Selectable<ProblemTable>> {
  const number = await allocate(trx, workspaceId, 'problem_number', 1);
  const row: Selectable<ProblemTable> = {
    id: p.id ?? newId(),
    workspace_id: workspaceId,
    number,
    status: p.status,
    kind: p.kind,
    title: p.title,
    topic: p.topic,
    area_json: p.area ? JSON.stringify(p.area) : null,
    area_key: p.areaKey,
    signature_json: JSON.stringify(p.signature),
    owner_team_id: p.ownerTeamId ?? null,
    owner: p.owner,
    external_refs_json: '{}',
    baseline_json: p.baseline === undefined ? null : JSON.stringify(p.baseline),
    detected_at: p.detectedAt,
    first_event_at: p.firstEventAt,
    last_event_at: p.detectedAt,
    customer_count: 0,
    message_count: 0,
    still_broken_count: 0,
    eta_at: null,
    merged_into: null,
    fixed_at: null,
    fixed_event_at: null,
    closed_at: null,
    version: 1,
    created_at: now,
    updated_at: now,
  };
  await trx.insertInto('problems').values(row).execute();
  return row;
}

export async function problemEvent(
  trx: Kysely<DB>,
  workspaceId: string,
  problemId: string,
  type: string,
  data: Record<string, unknown>,
  at: { now: number; eventAt?: number; actorType?: string; actorId?: string | null },
) {
  await trx
    .insertInto('problem_events')
    .values({
      id: newId(),
      workspace_id: workspaceId,
      problem_id: problemId,
      type,
      actor_type: at.actorType ?? 'system',
      actor_id: at.actorId ?? 'detector',
      data_json: JSON.stringify(data),
      created_at: at.now,
      event_at: at.eventAt ?? at.now,
    })
    .execute();
}

export interface LinkRow {
  problemId: string;
  caseId: string;
  customerId: string;
  source: 'auto' | 'manual';
  linkedAt: number;
}

/** Links cases (idempotent per problem and case; a previously unlinked case is linked again). */
export async function insertLinks(
  trx: Kysely<DB>,
  workspaceId: string,
  links: LinkRow[],
  now: number,
) {
  for (let i = 0; i < links.length; i += 500) {
    const chunk = links.slice(i, i + 500).map((l) => ({
      id: newId(),
      workspace_id: workspaceId,
      problem_id: l.problemId,
      case_id: l.caseId,
      customer_id: l.customerId,
      source: l.source,
      linked_at: l.linkedAt,
      unlinked_at: null,
      resolve_due_at: null,
      created_at: now,
    }));
    await trx
      .insertInto('problem_links')
      .values(chunk)
      .onConflict((oc) => oc.columns(['problem_id', 'case_id']).doUpdateSet({ unlinked_at: null }))
      .execute();
  }
}

/** The cases a problem holds now (read before a change: a link that already stands is no news). */
export async function liveCaseIds(trx: Kysely<DB>, problemId: string): Promise<Set<string>> {
  const rows = await trx
    .selectFrom('problem_links')
    .select('case_id')
    .where('problem_id', '=', problemId)
    .where('unlinked_at', 'is', null)
    .execute();
  return new Set(rows.map((r) => r.case_id));
}

/**
 * A problem's counters as the API shows them, counted afresh (after a person's change): distinct
 * customers of its live links, and the customer messages on those links' cases (every inbound
 * message, complaint or not, before or after the link: what the owner team would read).
 */
export async function problemCounts(trx: Kysely<DB>, problemId: string) {
  const c = await trx
    .selectFrom('problem_links')
    .select(sql<number>`count(distinct customer_id)`.as('customers'))
    .where('problem_id', '=', problemId)
    .where('unlinked_at', 'is', null)
    .executeTakeFirst();
  const m = await trx
    .selectFrom('messages')
    .innerJoin('problem_links', 'problem_links.case_id', 'messages.case_id')
    .select(sql<number>`count(*)`.as('n'))
    .where('problem_links.problem_id', '=', problemId)
    .where('problem_links.unlinked_at', 'is', null)
    .where('messages.direction', '=', 'in')
    .executeTakeFirst();
  return {
    customers: Number(c?.customers ?? 0),
    messages: Number(m?.n ?? 0),
  };
}

/**
 * Counts again after people changed the cases (`problemCounts`: a merge of problems sharing a
 * case must not count it twice, an unlinked case's messages leave with it, a merged-away
 * problem holds nothing).
 */
export async function recountProblem(trx: Kysely<DB>, problemId: string, now: number) {
  const c = await problemCounts(trx, problemId);
  await trx
    .updateTable('problems')
    .set({ customer_count: c.customers, message_count: c.messages, updated_at: now })
    .where('id', '=', problemId)
    .execute();
}

/**
 * What the API shows of the given problems (`problemCounts` for several at once, read when
 * shown): the stored counters are moved on by the pipeline only while a problem is open and
 * by one problem per case, so a follow-up on a closed problem's case, or on a case a second
 * problem took, left them behind what the problem's links hold.
 */
export async function heldCounts(db: Kysely<DB>, ids: readonly string[]) {
  const out = new Map<string, { customers: number; messages: number }>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    const cs = await db
      .selectFrom('problem_links')
      .select(['problem_id', sql<number>`count(distinct customer_id)`.as('n')])
      .where('problem_id', 'in', chunk)
      .where('unlinked_at', 'is', null)
      .groupBy('problem_id')
      .execute();
    const ms = await db
      .selectFrom('problem_links')
      .innerJoin('messages', 'messages.case_id', 'problem_links.case_id')
      .select(['problem_links.problem_id', sql<number>`count(*)`.as('n')])
      .where('problem_links.problem_id', 'in', chunk)
      .where('problem_links.unlinked_at', 'is', null)
      .where('messages.direction', '=', 'in')
      .groupBy('problem_links.problem_id')
      .execute();
    for (const c of cs) out.set(c.problem_id, { customers: Number(c.n), messages: 0 });
    for (const m of ms) {
      const c = out.get(m.problem_id);
      if (c) c.messages = Number(m.n);
    }
  }
  return out;
}

/** What a batch adds to one problem's counters (see `refreshCounts`). */
export interface CountsDelta {
  /** This batch's messages on the problem's cases, not stored yet (the pipeline stores later). */
  unsaved: number;
  /** Cases the batch linked to it: their stored messages join its count. */
  newCases: string[];
}

/**
 * Refreshes the counters of the problems a batch touched: distinct customers from the live links
 * (indexed by the unique (problem, case) key), and the message count moved on by what the batch
 * added (`CountsDelta`) rather than recounted, which on a problem of 20,000 cases cost 4–9× as
 * much on every batch. A person's change recounts (`problemCounts`).
 */
export async function refreshCounts(
  trx: Kysely<DB>,
  touched: ReadonlyMap<string, CountsDelta>,
  now: number,
) {
  for (const [id, delta] of touched) {
    const c = await trx
      .selectFrom('problem_links')
      .select([
        sql<number>`count(distinct customer_id)`.as('customers'),
        sql<number | null>`max(linked_at)`.as('last'),
      ])
      .where('problem_id', '=', id)
      .where('unlinked_at', 'is', null)
      .executeTakeFirst();
    let stored = 0;
    for (let i = 0; i < delta.newCases.length; i += 500) {
      const m = await trx
        .selectFrom('messages')
        .select(sql<number>`count(*)`.as('n'))
        .where('case_id', 'in', delta.newCases.slice(i, i + 500))
        .where('direction', '=', 'in')
        .executeTakeFirst();
      stored += Number(m?.n ?? 0);
    }
    const last = Number(c?.last ?? 0);
    await trx
      .updateTable('problems')
      .set({
        customer_count: Number(c?.customers ?? 0),
        message_count: sql<number>`message_count + ${delta.unsaved + stored}`,
        last_event_at: sql<number>`case when ${last} > last_event_at then ${last} else last_event_at end`,
        updated_at: now,
        version: sql<number>`version + 1`,
      })
      .where('id', '=', id)
      .execute();
  }
}

/** What a process problem's title says spiked, by the detector's signal kind. */
const PROCESS_SIGNALS: Record<string, string> = {
  sla_breach: 'Spike of SLA breaches',
  promise_broken: 'Spike of broken promises',
  repeat_contact: 'Spike of repeat contacts',
};

/** How the title of a problem of its place's every topic begins (`Signature.mix`). */
export const MIXED_TITLE = 'Many complaints — ';

export function problemTitle(
  kind: ProblemKind,
  topic: string | null,
  area: ProblemArea | null,
  /** A text cluster's terms; a process problem's key. */
  terms: string[],
  /** Name (or id) of the team a process problem belongs to. */
  team?: string | null,
  /** An area problem of its place's every topic that no topic has half of (`Signature.mix`). */
  mix?: TopicShare[],
) {
  const where = area
    ? (area.postalCode ?? null) !== null
      ? `${area.postalCode}${area.city ? ` (${area.city})` : ''}`
      : (area.city ?? area.region ?? area.country ?? 'everywhere')
    : 'everywhere';
  if (kind === 'text' && !topic) return `Many similar complaints: "${terms.join(' ')}" — ${where}`;
  // A text cluster whose complainers mostly name one topic (`ProblemBook.settledTopic`).
  if (kind === 'text') return `${topic} — ${where} (many similar complaints: "${terms.join(' ')}")`;
  if (kind === 'process') {
    // A process problem's one key names what spiked: `proc:<signal kind>:<team id>`.
    const what = PROCESS_SIGNALS[terms[0]?.split(':')[1] ?? ''] ?? 'Process problem';
    return `${what} — team ${team ?? 'unassigned'}`;
  }
  // Named by its place, with the topics' shares: its `topic` (the most common) alone misleads.
  if (kind === 'area' && mix?.length) {
    const shares = mix.slice(0, 3).map((m) => `${m.topic} ${Math.round(m.share * 100)} %`);
    return `${MIXED_TITLE}${where} (${shares.join(', ')}${mix.length > 3 ? ', …' : ''})`;
  }
  return `${topic ?? 'Complaints'} — ${where}`;
}
