import type { Kysely, Selectable } from 'kysely';
import type { DB, ProblemTable } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import { outboxRow } from '../platform/outbox/outbox.row.js';
import { readArea } from './manual-area.js';
import type { ProblemArea } from './problem.store.js';

/**
 * Problem events that go out to escalation targets (webhook, Jira, PagerDuty, Slack); a target's
 * `config.events` names some of them (integration.config.ts refuses any other name).
 */
export const ESCALATION_EVENTS = [
  'problem.opened',
  'problem.confirmed',
  'problem.fixing',
  'problem.fixed',
  'problem.verified',
  'problem.closed',
  'problem.reopened',
  'problem.updated',
] as const;
export type EscalationEvent = (typeof ESCALATION_EVENTS)[number];

/**
 * How old the events behind an automatic decision may be for it to reach people (an escalation,
 * an acknowledgement sent to a customer). Older ones are history read in by `throughline replay`
 * or an import: a problem of 40 days ago must not page anyone today. Six hours leaves a live desk
 * that catches up on a backlog after an outage of its own still escalating what it finds.
 */
export const HISTORY_MS = 6 * 3_600_000;

/** Whether an automatic decision about events at `eventAt` is history rather than news. */
export const isHistory = (eventAt: number, now: number) => now - eventAt > HISTORY_MS;

/**
 * The problem as it is at the event, stored with each outbox row: a delivery retried for an hour
 * must report the state it was queued for (a `problem.verified` that carried the owner and
 * status of later changes told the target something that never happened together). External
 * references and the URL are added at delivery (deliveries learn references, e.g. the Jira key).
 */
export interface ProblemSnapshot {
  id: string;
  number: number;
  status: string;
  title: string;
  topic: string | null;
  /** As the API gives it: every level, null where not known (`snapshotArea`). */
  area: ProblemArea;
  owner: string | null;
  /**
   * Who answers for it: the owner team's lead (`PATCH /api/v1/teams/:id`), by id and name; null
   * when none (rows queued before leads existed carry none).
   */
  lead?: { id: string; name: string } | null;
  customerCount: number;
  messageCount: number;
  detectedAt: string;
  /** When the owning team expects the fix (ISO-8601), null when none was given. */
  etaAt: string | null;
}

/**
 * A problem's area as the API shows it (problem.dto.ts): the four levels, each null when not
 * known, never a missing object. Escalations carry the same shape, so a receiver reads one
 * schema; snapshots stored before this carried null for a problem with no place.
 */
export function snapshotArea(area: Partial<ProblemArea> | null | undefined): ProblemArea {
  return readArea(area) ?? { postalCode: null, city: null, region: null, country: null };
}

/** The problem a merged-away one went into (its `problem.closed` says so, to tell it from a close). */
export interface MergeTarget {
  id: string;
  number: number;
}

/** A status update posted with the event: its words (the ETA is the problem's `etaAt`). */
export interface EscalationUpdate {
  body: string;
}

async function snapshotOf(trx: Kysely<DB>, problemId: string): Promise<ProblemSnapshot | null> {
  const p = await trx
    .selectFrom('problems')
    .selectAll()
    .where('id', '=', problemId)
    .executeTakeFirst();
  if (!p) return null;
  const lead = p.owner_team_id
    ? await trx
        .selectFrom('teams')
        .innerJoin('users', (j) =>
          j
            .onRef('users.id', '=', 'teams.lead_user_id')
            .onRef('users.workspace_id', '=', 'teams.workspace_id'),
        )
        .select(['users.id', 'users.name'])
        .where('teams.id', '=', p.owner_team_id)
        .where('users.disabled_at', 'is', null)
        .executeTakeFirst()
    : undefined;
  return { ...snapshotFromRow(p), lead: lead ?? null };
}

/** A stored problem row as escalation targets see it (also for rows queued before snapshots). */
export function snapshotFromRow(p: Selectable<ProblemTable>): ProblemSnapshot {
  // PostgreSQL returns bigint columns as strings.
  return {
    id: p.id,
    number: Number(p.number),
    status: p.status,
    title: p.title,
    topic: p.topic,
    area: snapshotArea(p.area_json ? JSON.parse(p.area_json) : null),
    owner: p.owner,
    customerCount: Number(p.customer_count),
    messageCount: Number(p.message_count),
    detectedAt: new Date(Number(p.detected_at)).toISOString(),
    etaAt: p.eta_at === null ? null : new Date(Number(p.eta_at)).toISOString(),
  };
}

/**
 * Queues one outbox row per enabled integration, in the caller's transaction, so an escalation
 * is sent exactly when the change it reports commits, with the problem as it is now (after the
 * change). Delivery: src/integrations/dispatch.ts.
 * `eventAt` (automatic decisions only): nothing is queued for history (`isHistory`).
 * `mergedInto`: the problem was closed by merging it into that one.
 */
export async function queueEscalations(
  trx: Kysely<DB>,
  workspaceId: string,
  problemId: string,
  event: EscalationEvent | string,
  now: number,
  eventAt?: number,
  update?: EscalationUpdate,
  mergedInto?: MergeTarget,
): Promise<number> {
  if (eventAt !== undefined && isHistory(eventAt, now)) return 0;
  const targets = await trx
    .selectFrom('integrations')
    .select(['id', 'config_json'])
    .where('workspace_id', '=', workspaceId)
    .where('disabled_at', 'is', null)
    .execute();
  let n = 0;
  const problem = targets.length > 0 ? await snapshotOf(trx, problemId) : null;
  for (const t of targets) {
    const cfg = JSON.parse(t.config_json) as { events?: string[] };
    if (cfg.events && cfg.events.length > 0 && !cfg.events.includes(event)) continue;
    const id = newId();
    await trx
      .insertInto('outbox')
      .values(
        outboxRow({
          id,
          workspaceId,
          kind: 'problem_escalate',
          key: `problem_escalate:${t.id}:${problemId}:${event}:${id}`,
          payload: { integrationId: t.id, problemId, event, at: now, problem, update, mergedInto },
          now,
        }),
      )
      .execute();
    n++;
  }
  return n;
}

/**
 * Takes a new snapshot for the escalations of `problemIds` queued in this transaction (at `now`):
 * the detector raises a problem before it links the batch's cases and counts them, and that
 * batch is one change, so its `problem.opened` reports the counts (and topic, owner) it commits
 * with. Each row keeps the status it was queued with.
 */
export async function refreshEscalationSnapshots(
  trx: Kysely<DB>,
  workspaceId: string,
  problemIds: Iterable<string>,
  now: number,
): Promise<void> {
  for (const problemId of problemIds) {
    const rows = await trx
      .selectFrom('outbox')
      .select(['id', 'payload_json'])
      .where('workspace_id', '=', workspaceId)
      .where('kind', '=', 'problem_escalate')
      .where('status', '=', 'pending')
      .where('created_at', '=', now)
      .where('idempotency_key', 'like', `problem_escalate:%:${problemId}:%`)
      .execute();
    if (rows.length === 0) continue;
    const fresh = await snapshotOf(trx, problemId);
    if (!fresh) continue;
    for (const r of rows) {
      const payload = JSON.parse(r.payload_json) as { problem?: ProblemSnapshot | null };
      if (!payload.problem) continue;
      payload.problem = { ...fresh, status: payload.problem.status };
      await trx
        .updateTable('outbox')
        .set({ payload_json: JSON.stringify(payload) })
        .where('id', '=', r.id)
        .execute();
    }
  }
}
