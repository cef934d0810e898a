import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';

/** Events the pipeline gave up on, newest first, with their error. */
export async function listParked(db: Kysely<DB>, workspaceId: string, limit = 100) {
  const rows = await db
    .selectFrom('inbound_events')
    .select(['seq', 'channel', 'external_id', 'received_at', 'attempts', 'last_error'])
    .where('workspace_id', '=', workspaceId)
    .where('status', '=', 'parked')
    .orderBy('seq', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    seq: r.seq,
    channel: r.channel,
    externalId: r.external_id,
    receivedAt: new Date(r.received_at).toISOString(),
    attempts: r.attempts,
    error: r.last_error,
  }));
}

/** Puts parked events back in the queue (all, or the given sequence numbers). */
export async function retryParked(
  db: Kysely<DB>,
  workspaceId: string,
  now: number,
  seqs?: number[],
): Promise<number> {
  let q = db
    .updateTable('inbound_events')
    .set({ status: 'pending', attempts: 0, next_attempt_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('status', '=', 'parked');
  if (seqs) q = q.where('seq', 'in', seqs.length ? seqs : [-1]);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** The inbound log at a glance: how much waits, how old the oldest waiting event is. */
export async function pipelineStatus(db: Kysely<DB>, workspaceId: string, now: number) {
  const counts = await db
    .selectFrom('inbound_events')
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .where('workspace_id', '=', workspaceId)
    .groupBy('status')
    .execute();
  const oldest = await db
    .selectFrom('inbound_events')
    .select('received_at')
    .where('workspace_id', '=', workspaceId)
    .where('status', '=', 'pending')
    .orderBy('seq')
    .limit(1)
    .executeTakeFirst();
  const last = await db
    .selectFrom('inbound_events')
    .select((eb) => eb.fn.max('processed_at').as('at'))
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst();
  const by = Object.fromEntries(counts.map((c) => [c.status, Number(c.n)]));
  return {
    pending: by.pending ?? 0,
    done: by.done ?? 0,
    parked: by.parked ?? 0,
    oldestPendingAgeMs: oldest ? Math.max(0, now - Number(oldest.received_at)) : null,
    lastProcessedAt: last?.at ? new Date(Number(last.at)).toISOString() : null,
  };
}
