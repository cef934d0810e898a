import type { Kysely } from 'kysely';
import { caseEvent } from '../cases/case.store.js';
import type { DB } from '../platform/db/schema.js';

/** The `error` of a reply whose delivery an erasure ended (its `reply_failed` history entry). */
export const ERASED_DELIVERY_ERROR = 'customer_erased';
/**
 * Its `why`: a fixed text of the desk's, not the person's, so a later erasure run leaves it
 * (`rewriteHistory` keeps it) and the case keeps saying why the reply never went.
 */
export const ERASED_DELIVERY_WHY = 'customer erased: nothing more is sent to them';

/**
 * Replies of these cases still `queued` whose delivery the erasure ended (`scrubOutbox` fails
 * the pending outbox row with `erased`): they would show queued for ever. They end `failed`, as
 * a reply the outbox gave up on does, with a `reply_failed` entry saying why, which the case
 * view shows as the message's `failure`. What the reply settled (a promise kept, a clock met)
 * is not undone: nothing more is done for an erased person. Re-runs find what an earlier run
 * left queued (before this existed). Returns how many messages.
 */
export async function failErasedReplies(
  trx: Kysely<DB>,
  workspaceId: string,
  caseIds: readonly string[],
  now: number,
): Promise<number> {
  let n = 0;
  // Sliced here, not with scrub.ts's `chunks`: scrub.ts imports this file.
  for (let i = 0; i < caseIds.length; i += 300) {
    const part = caseIds.slice(i, i + 300);
    const queued = await trx
      .selectFrom('messages')
      .select(['id', 'case_id', 'channel'])
      .where('workspace_id', '=', workspaceId)
      .where('case_id', 'in', part)
      .where('direction', '=', 'out')
      .where('status', '=', 'queued')
      .execute();
    if (queued.length === 0) continue;
    const ended = await trx
      .selectFrom('outbox')
      .select('idempotency_key')
      .where(
        'idempotency_key',
        'in',
        queued.map((m) => `send_message:${m.id}`),
      )
      .where('status', '=', 'failed')
      .where('last_error', '=', 'erased')
      .execute();
    const keys = new Set(ended.map((o) => o.idempotency_key));
    for (const m of queued) {
      if (!keys.has(`send_message:${m.id}`) || !m.case_id) continue;
      await trx.updateTable('messages').set({ status: 'failed' }).where('id', '=', m.id).execute();
      await caseEvent(
        trx,
        workspaceId,
        m.case_id,
        { type: 'system', id: 'privacy' },
        'reply_failed',
        {
          messageId: m.id,
          channel: m.channel,
          error: ERASED_DELIVERY_ERROR,
          why: ERASED_DELIVERY_WHY,
        },
        now,
      );
      n++;
    }
  }
  return n;
}
