import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';

/** Problem events that go out to escalation targets (webhook, Jira, PagerDuty, Slack). */
export type EscalationEvent =
  | 'problem.opened'
  | 'problem.confirmed'
  | 'problem.fixing'
  | 'problem.fixed'
  | 'problem.verified'
  | 'problem.closed'
  | 'problem.reopened'
  | 'problem.updated';

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
 * Queues one outbox row per enabled integration, in the caller's transaction, so an escalation
 * is sent exactly when the change it reports commits. Delivery: src/integrations/dispatch.ts.
 * `eventAt` (automatic decisions only): nothing is queued for history (`isHistory`).
 */
export async function queueEscalations(
  trx: Kysely<DB>,
  workspaceId: string,
  problemId: string,
  event: EscalationEvent | string,
  now: number,
  eventAt?: number,
): Promise<number> {
  if (eventAt !== undefined && isHistory(eventAt, now)) return 0;
  const targets = await trx
    .selectFrom('integrations')
    .select(['id', 'config_json'])
    .where('workspace_id', '=', workspaceId)
    .where('disabled_at', 'is', null)
    .execute();
  let n = 0;
  for (const t of targets) {
    const cfg = JSON.parse(t.config_json) as { events?: string[] };
    if (cfg.events && cfg.events.length > 0 && !cfg.events.includes(event)) continue;
    const id = newId();
    await trx
      .insertInto('outbox')
      .values({
        id,
        workspace_id: workspaceId,
        kind: 'problem_escalate',
        idempotency_key: `problem_escalate:${t.id}:${problemId}:${event}:${id}`,
        payload_json: JSON.stringify({ integrationId: t.id, problemId, event, at: now }),
        status: 'pending',
        attempts: 0,
        next_attempt_at: now,
        last_error: null,
        created_at: now,
        delivered_at: null,
      })
      .execute();
    n++;
  }
  return n;
}
