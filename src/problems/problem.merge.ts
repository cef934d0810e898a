import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { shareCaseWrites } from '../platform/db/case-writes-lock.js';
import type { DB } from '../platform/db/schema.js';
import { AppError } from '../platform/errors.js';
import { queueEscalations } from './escalate.js';
import { recordCasesLinked, recordCasesUnlinked } from './link-history.js';
import { checkProblemVersion } from './problem.checks.js';
import {
  byPerson,
  FIX_STANDS,
  joinFixedProblem,
  load,
  loadForUpdate,
  type ProblemActor,
  releaseFromFix,
} from './problem.service.js';
import {
  insertLinks,
  liveCaseIds,
  problemEvent,
  recountProblem,
  signatureOf,
} from './problem.store.js';
import { MERGED_NOTICE, tellFixFailed } from './reopen.notice.js';

/** Merges `sourceId` into `targetId`: links move, the source closes with `merged_into`. */
export async function mergeProblems(
  db: Kysely<DB>,
  actor: ProblemActor,
  sourceId: string,
  targetId: string,
  now: number,
  /** The source's version as the caller read it (409 if it changed since). */
  expectedVersion?: number,
) {
  if (sourceId === targetId)
    throw new AppError('bad_request', 'a problem cannot be merged into itself');
  const ws = actor.workspaceId;
  return db.transaction().execute(async (trx) => {
    await shareCaseWrites(trx); // before any row lock: case-writes-lock.ts
    // Both rows locked, in id order (two merges at once must not wait for each other in a cycle).
    const [first, second] = [sourceId, targetId].sort();
    const rows = new Map([
      [first, await loadForUpdate(trx, ws, first)],
      [second, await loadForUpdate(trx, ws, second)],
    ]);
    const src = rows.get(sourceId)!;
    const dst = rows.get(targetId)!;
    checkProblemVersion(src, expectedVersion);
    if (src.merged_into)
      throw new AppError('invalid_transition', `problem ${src.id} was already merged`);
    // A closed problem's links are its history (its customers were told it is over): merged, its
    // cases would leave it empty and come back to work under the target. Reopen it first.
    if (src.status === 'closed')
      throw new AppError(
        'invalid_transition',
        'a closed problem cannot be merged: its links are its history; reopen it (status fixing or confirmed) to merge it',
      );
    // Its customers would be linked to a problem nobody works on any more.
    if (dst.status === 'closed')
      throw new AppError('invalid_transition', 'a problem cannot be merged into a closed one');
    await mergeLocked(trx, actor, src, dst, now);
    return load(trx, ws, dst.id);
  });
}

type Row = Awaited<ReturnType<typeof loadForUpdate>>;

/**
 * The merge itself, in the caller's transaction with both rows locked and checked: links move
 * with their history and waiting state, the source closes as merged, escalation targets hear of
 * both. A person's merge (`byPerson`) leaves the problem's shape to people from then on.
 */
export async function mergeLocked(
  trx: Kysely<DB>,
  actor: ProblemActor,
  src: Row,
  dst: Row,
  now: number,
  /** For an automatic merge, the event time it comes from: history escalates nothing. */
  eventAt?: number,
) {
  const ws = actor.workspaceId;
  const links = await trx
    .selectFrom('problem_links')
    .selectAll()
    .where('problem_id', '=', src.id)
    .where('unlinked_at', 'is', null)
    .execute();
  const held = await liveCaseIds(trx, dst.id);
  await insertLinks(
    trx,
    ws,
    links.map((l) => ({
      problemId: dst.id,
      caseId: l.case_id,
      customerId: l.customer_id,
      source: l.source as 'auto',
      linkedAt: l.linked_at,
    })),
    now,
  );
  // Each case's history says it left the source and joined the target (one held by both
  // already joined nothing).
  const moved = links.map((l) => l.case_id);
  await recordCasesUnlinked(trx, ws, moved, src, actor, 'merged', now, dst);
  const joining = moved.filter((c) => !held.has(c));
  await recordCasesLinked(trx, ws, joining, dst, actor, 'merged', now, src);
  // Cases waiting for their customer after the source's fix: into a problem whose fix stands
  // they keep waiting (and resolve when due); into one still being fixed they go back to the desk.
  const waiting = links.filter((l) => l.resolve_due_at !== null);
  if (FIX_STANDS.has(dst.status)) {
    // The others join a fixed problem: told of its fix and waiting, as when linked by hand
    // (unless the source's fix stands too: they have heard of a fix, their cases move on).
    const joined = FIX_STANDS.has(src.status)
      ? []
      : links
          .filter((l) => l.resolve_due_at === null && !held.has(l.case_id))
          .map((l) => l.case_id);
    await joinFixedProblem(trx, actor, dst, joined, now);
    for (const l of waiting)
      await trx
        .updateTable('problem_links')
        .set({ resolve_due_at: l.resolve_due_at })
        .where('problem_id', '=', dst.id)
        .where('case_id', '=', l.case_id)
        .where('resolve_due_at', 'is', null)
        .execute();
  } else {
    const ids = waiting.map((l) => l.case_id);
    const why = `merged into problem #${dst.number} (${dst.id}), not fixed yet`;
    await releaseFromFix(trx, ws, src.id, ids, now, why);
    // Its customers told of its fix learn that their trouble goes on, as part of this one.
    if (FIX_STANDS.has(src.status) && src.fixed_at !== null) {
      const told = { problemId: src.id, fixedAt: Number(src.fixed_at) };
      const by = { now, actorType: actor.type, actorId: actor.id };
      const post = { problemId: dst.id, status: dst.status };
      await tellFixFailed(trx, ws, told, post, MERGED_NOTICE, by);
    }
  }
  await trx
    .updateTable('problem_links')
    .set({ unlinked_at: now, resolve_due_at: null })
    .where('problem_id', '=', src.id)
    .execute();
  const sig = signatureOf(dst);
  const srcSig = signatureOf(src);
  sig.keys = [...new Set([...sig.keys, ...srcSig.keys])];
  sig.terms = [...new Set([...sig.terms, ...srcSig.terms])];
  // A person decided these are one trouble: the detector must not reshape it again.
  sig.human = sig.human || byPerson(actor);
  await trx
    .updateTable('problems')
    .set({
      signature_json: JSON.stringify(sig),
      // Its span in event time is both problems': the cases it takes may be the later ones.
      first_event_at: Math.min(Number(src.first_event_at), Number(dst.first_event_at)),
      last_event_at: Math.max(Number(src.last_event_at), Number(dst.last_event_at)),
      updated_at: now,
      version: sql<number>`version + 1`,
    })
    .where('id', '=', dst.id)
    .execute();
  await trx
    .updateTable('problems')
    .set({
      status: 'closed',
      merged_into: dst.id,
      closed_at: now,
      // Closed as any close is: nothing is awaited of it (its targets must not read "closed …
      // ETA"); the target's own ETA is what its customers hear of now.
      eta_at: null,
      updated_at: now,
      version: sql<number>`version + 1`,
      signature_json: JSON.stringify({ ...srcSig, keys: [] }),
    })
    .where('id', '=', src.id)
    .execute();
  await problemEvent(
    trx,
    ws,
    src.id,
    'merged_into',
    { targetId: dst.id, from: src.status, to: 'closed' },
    { now, actorType: actor.type, actorId: actor.id },
  );
  // It holds no cases any more: its counters say so too.
  await recountProblem(trx, src.id, now);
  // The source's Jira issue, PagerDuty incident and so on close; the target's learn of it.
  // It carries the target, so a receiver can tell a merge from a close (dispatch.ts).
  await queueEscalations(trx, ws, src.id, 'problem.closed', now, eventAt, undefined, {
    id: dst.id,
    number: Number(dst.number),
  });
  await problemEvent(
    trx,
    ws,
    dst.id,
    'merged_from',
    { sourceId: src.id, cases: links.length },
    { now, actorType: actor.type, actorId: actor.id },
  );
  await recountProblem(trx, dst.id, now);
  // After the recount: the escalation carries the problem as the merge leaves it.
  await queueEscalations(trx, ws, dst.id, 'problem.updated', now, eventAt);
}
