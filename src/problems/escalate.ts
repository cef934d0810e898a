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
 * Queues one outbox row per enabled integration, in the caller's transaction, so an escalation
 * is sent exactly when the change it reports commits. Delivery: src/integrations/dispatch.ts.
 */
export async function queueEscalations(
  trx: Kysely<DB>,
  workspaceId: string,
  problemId: string,
  event: EscalationEvent | string,
  now: number,
): Promise<number> {
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
