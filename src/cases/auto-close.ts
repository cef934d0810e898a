import { type Kysely, sql } from 'kysely';
import { caseWriteTransaction } from '../platform/db/case-writes-lock.js';
import type { DB } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import type { Sweep } from '../platform/jobs/scheduler.js';
import { applySla } from '../sla/sla.store.js';

/**
 * Closes resolved cases after a quiet period (no message since). A customer coming back
 * before that reopens the case (thread stage); after it, they start a new one.
 */
export function autoCloseSweep(workspaceId: string, quietMs: number): Sweep {
  return async (db: Kysely<DB>, now: number) => {
    const cutoff = now - quietMs;
    return caseWriteTransaction(db, async (trx) => {
      const due = await trx
        .selectFrom('cases')
        .select(['id', 'priority', 'channel'])
        .where('workspace_id', '=', workspaceId)
        .where('status', '=', 'resolved')
        .where('last_message_at', '<=', cutoff)
        .where('resolved_at', '<=', cutoff)
        .limit(500)
        .execute();
      if (due.length === 0) return [];
      const ids = due.map((c) => c.id);
      await trx
        .updateTable('cases')
        .set({
          status: 'closed',
          status_reason: null,
          closed_at: now,
          version: sql<number>`version + 1`,
          updated_at: now,
        })
        .where('id', 'in', ids)
        .where('status', '=', 'resolved')
        .execute();
      await trx
        .insertInto('case_events')
        .values(
          ids.map((id) => ({
            id: newId(),
            workspace_id: workspaceId,
            case_id: id,
            type: 'status_changed',
            actor_type: 'system' as const,
            actor_id: 'auto-close',
            data_json: JSON.stringify({
              from: 'resolved',
              to: 'closed',
              reason: null,
              why: 'quiet period over',
            }),
            created_at: now,
            event_at: now,
          })),
        )
        .execute();
      await applySla(
        trx,
        workspaceId,
        due.map((c) => ({
          caseId: c.id,
          type: 'closed' as const,
          at: now,
          priority: c.priority,
          channel: c.channel,
        })),
        now,
      );
      return ids.map((caseId) => ({
        type: 'case.updated',
        workspaceId,
        data: { caseId, change: 'closed' },
      }));
    });
  };
}
