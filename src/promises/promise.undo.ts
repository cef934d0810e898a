import type { Kysely } from 'kysely';
import { caseEvent } from '../cases/case.store.js';
import type { DB } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import type { LiveEvent } from '../platform/realtime/bus.js';
import { breakPromise, keptBy, keptHow } from './promise.service.js';

/** A message of ours on a case, as the undo of a failed one reads it. */
export interface SentReply {
  id: string;
  channel: string;
  sentAt: number;
  /** Who wrote it: `user:<id>` or `token:<id>`. */
  authorAddress: string;
}

export interface PromisesUndone {
  reopened: string[];
  broken: string[];
  /** Kept after all, by a later reply of ours. */
  keptLater: string[];
  events: LiveEvent[];
}

const SYSTEM = { type: 'system' as const, id: 'outbox' };

/**
 * A reply that kept promises when it was queued was refused for good by its provider: the
 * customer heard nothing, so those promises are not kept by it. Each one (kept on the case at the
 * reply's time, "message sent on <its channel>") is kept instead by the first later reply of
 * ours that would keep it, was not refused and went before the deadline; else it is open again,
 * with its deadline and reminder timers, or broken at once (and escalated, as the deadline timer
 * does) when the deadline has passed. The case history says which, and why.
 */
export async function unkeepPromisesOfReply(
  trx: Kysely<DB>,
  workspaceId: string,
  caseId: string,
  failed: SentReply,
  later: SentReply[],
  now: number,
): Promise<PromisesUndone> {
  const out: PromisesUndone = { reopened: [], broken: [], keptLater: [], events: [] };
  const kept = await trx
    .selectFrom('promises')
    .selectAll()
    .where('case_id', '=', caseId)
    .where('status', '=', 'kept')
    .where('settled_at', '=', failed.sentAt)
    .where('settled_how', '=', keptHow(failed.channel))
    .execute();
  for (const p of kept) {
    const why = { promiseId: p.id, messageId: failed.id, why: 'reply not delivered' };
    const instead = later.find((r) => keptBy(p, r.channel) && r.sentAt <= Number(p.due_at));
    if (instead) {
      const [type, id] = instead.authorAddress.split(':');
      const actor = { type: type === 'token' ? ('token' as const) : ('user' as const), id };
      await trx
        .updateTable('promises')
        .set({ settled_at: instead.sentAt, settled_by: id, settled_how: keptHow(instead.channel) })
        .where('id', '=', p.id)
        .execute();
      await caseEvent(
        trx,
        workspaceId,
        caseId,
        actor,
        'promise_kept',
        { promiseId: p.id, how: keptHow(instead.channel), messageId: instead.id, instead: why },
        now,
        instead.sentAt,
      );
      out.keptLater.push(p.id);
      continue;
    }
    await trx
      .updateTable('promises')
      .set({ status: 'open', settled_at: null, settled_by: null, settled_how: null })
      .where('id', '=', p.id)
      .execute();
    await caseEvent(trx, workspaceId, caseId, SYSTEM, 'promise_reopened', why, now);
    const open = { ...p, status: 'open' as const, settled_at: null, settled_by: null };
    if (Number(p.due_at) <= now) {
      out.events.push(...(await breakPromise(trx, { ...open, settled_how: null }, now)));
      out.broken.push(p.id);
      continue;
    }
    const timers = [{ kind: 'promise.due', at: Number(p.due_at) }];
    // A reminder not yet given comes now if its time passed while the promise looked kept.
    if (p.remind_at !== null && p.reminded_at === null)
      timers.push({ kind: 'promise.remind', at: Math.max(Number(p.remind_at), now) });
    await trx
      .insertInto('timers')
      .values(
        timers.map((t) => ({
          id: newId(),
          workspace_id: workspaceId,
          kind: t.kind,
          ref_id: p.id,
          due_at: t.at,
          status: 'pending' as const,
          created_at: now,
        })),
      )
      .execute();
    out.reopened.push(p.id);
  }
  return out;
}
