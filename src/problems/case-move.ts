import type { Kysely } from 'kysely';
import type { BatchState } from '../ingest/pipeline/types.js';
import type { DB } from '../platform/db/schema.js';
import type { Ack } from './acknowledge.js';
import { type HistoryRef, movedEntries } from './link-history.js';
import { releaseFromFix } from './problem.cases.js';
import { insertLinks, type LinkRow, problemEvent, recountProblem } from './problem.store.js';

/**
 * A case belongs to one problem at a time: its customer hears one problem's news and waits for
 * one fix. When the detector links a newer complaint of a case to another problem than the open
 * one holding it (that one no longer claims the case's trouble: its episode is over, or it was
 * verified), the case moves. Both histories say so, as for a person's merge or split: the old
 * problem's (`unlinked`, where it went) and the new one's (`linked`, where it came from), and the
 * case's (`problem_unlinked` here, pushed to the batch's case events; the `problem_linked` entry
 * that follows names `from`). Before, the case's history named only the problems it joined, so a
 * case the detector moved read as held by both. A case a person linked stays where they put it:
 * the new link is refused. Returns null when the case stays, else the problem it came from as
 * its history names it (null when it held no link there any more).
 */
export async function moveCase(
  trx: Kysely<DB>,
  ws: string,
  caseId: string,
  from: string,
  to: string,
  at: { now: number; eventAt: number },
  caseEvents: BatchState['caseEvents'],
): Promise<{ from: HistoryRef | null } | null> {
  const link = await trx
    .selectFrom('problem_links')
    .select('source')
    .where('problem_id', '=', from)
    .where('case_id', '=', caseId)
    .where('unlinked_at', 'is', null)
    .executeTakeFirst();
  if (!link) return { from: null };
  if (link.source !== 'auto') return null;
  // Waiting for its customer after the old problem's fix: that fix is not its trouble's any
  // more, so it goes back to the desk as a case leaving a fixed problem does (QA: one stayed
  // pending for ever, its quiet period cleared with the link). A fixed new problem tells it so.
  await releaseFromFix(trx, ws, from, [caseId], at.now, 'moved to another problem');
  await trx
    .updateTable('problem_links')
    .set({ unlinked_at: at.now, resolve_due_at: null })
    .where('problem_id', '=', from)
    .where('case_id', '=', caseId)
    .execute();
  await problemEvent(trx, ws, from, 'unlinked', { caseIds: [caseId], movedTo: to }, at);
  await problemEvent(trx, ws, to, 'linked', { caseIds: [caseId], movedFrom: from }, at);
  await recountProblem(trx, from, at.now);
  const numbers = await trx
    .selectFrom('problems')
    .select(['id', 'number'])
    .where('id', 'in', [from, to])
    .execute();
  const ref = (id: string) => ({ id, number: numbers.find((p) => p.id === id)?.number ?? null });
  const moved = movedEntries(ref(from), ref(to));
  caseEvents.push({
    caseId,
    type: 'problem_unlinked',
    data: moved.unlinked,
    eventAt: at.eventAt,
  });
  return { from: moved.from };
}

/** What a batch has decided but not stored yet: its link rows and arrival acknowledgements. */
export interface PendingLinks {
  links: LinkRow[];
  acks: Ack[];
}

/**
 * A case linked to `held` earlier in this batch (its row and acknowledgement wait in `pending`,
 * stored after the loop) that a later decision moves on: `split-topic.ts` takes back complainers
 * of the same stream, one a moment after its complaint joined the problem it was in. That first
 * link is stored now, so the move is one like any other (`moveCase`): the case's history shows it
 * joined `held` and then moved, and both problems' histories say so. Dropping the first link, as
 * was done, left the case's history silent about it and lost its customer's acknowledgement.
 * Returns null when the case had no pending link there, else the arrival acknowledgement taken
 * out of `pending` (or null): its customer is told of the problem the case ends up in, not of
 * the one it left a moment later.
 */
export async function storePendingLink(
  trx: Kysely<DB>,
  ws: string,
  caseId: string,
  held: string,
  pending: PendingLinks,
  caseEvents: BatchState['caseEvents'],
  now: number,
): Promise<{ ack: Ack | null } | null> {
  const i = pending.links.findIndex((l) => l.caseId === caseId && l.problemId === held);
  if (i < 0) return null;
  const [link] = pending.links.splice(i, 1);
  await insertLinks(trx, ws, [link], now);
  const a = pending.acks.findIndex((x) => x.caseId === caseId && x.problemId === held);
  if (a < 0) return { ack: null };
  const [ack] = pending.acks.splice(a, 1);
  // The entry its acknowledgement would have carried, without one (it goes with the case).
  caseEvents.push({
    caseId,
    type: 'problem_linked',
    data: {
      problemId: held,
      number: Number(ack.problem.number),
      how: 'detected',
      ...(ack.from ? { from: ack.from } : {}),
    },
    eventAt: ack.at,
  });
  return { ack };
}
