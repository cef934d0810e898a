import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { cancelUnlinkedNotices } from '../notify/notify.cancel.js';
import { shareCaseWrites } from '../platform/db/case-writes-lock.js';
import type { DB } from '../platform/db/schema.js';
import { AppError, notFound } from '../platform/errors.js';
import { areaChain } from './detector/areas.js';
import { queueEscalations } from './escalate.js';
import { recordCasesLinked, recordCasesUnlinked } from './link-history.js';
import { refuseCaseOfOpenProblem, refuseErasedCases } from './link-refusals.js';
import { manualArea } from './manual-area.js';
import { ownerFor } from './owner-rules.js';
import { ownerTeamNamed, teamIdNamed } from './owner-teams.js';
import { checkProblemVersion, cleanTitle, complaintTopic } from './problem.checks.js';
import {
  joinFixedProblem,
  load,
  loadForUpdate,
  type ProblemActor,
  type ProblemRow,
  releaseFromFix,
} from './problem.service.js';
import { loadProblemSettings } from './problem.settings.js';
import {
  insertLinks,
  insertProblem,
  liveCaseIds,
  type ProblemArea,
  problemEvent,
  problemTitle,
  recountProblem,
  signatureOf,
} from './problem.store.js';
import { tellSplitOff } from './reopen.notice.js';

/*
 * What people do to the shape of problems: create one by hand from a case, link and unlink
 * cases, split cases off into a new one (merging two: problem.merge.ts).
 */

/** Creates a problem by hand from a case (linked at once). */
export async function createProblemFromCase(
  db: Kysely<DB>,
  actor: ProblemActor,
  input: {
    caseId: string;
    title?: string;
    topic?: string | null;
    /** Levels left out are not known (null). */
    area?: Partial<ProblemArea> | null;
    owner?: string | null;
  },
  now: number,
) {
  const ws = actor.workspaceId;
  // The request itself first (400): a bad area is a bad area, whichever problem holds the case.
  const area = manualArea(input.area);
  const areaKey = area ? areaChain({ ...area })[0] : null;
  const topic = complaintTopic(input.topic ?? null);
  const title = cleanTitle(input.title);
  return db.transaction().execute(async (trx) => {
    await shareCaseWrites(trx); // before any row lock: case-writes-lock.ts
    // A person names an existing team (400 otherwise); left out or null, the owner rules do.
    const named = input.owner == null ? null : await ownerTeamNamed(trx, ws, input.owner);
    const c = await trx
      .selectFrom('cases')
      .selectAll()
      .where('workspace_id', '=', ws)
      .where('id', '=', input.caseId)
      .executeTakeFirst();
    if (!c) throw notFound('case');
    await refuseErasedCases(trx, [c.id]);
    await refuseCaseOfOpenProblem(trx, c.id);
    const settings = await loadProblemSettings(trx, ws);
    const owner = named ? named.name : ownerFor(settings, topic, area, areaKey);
    const row = await insertProblem(
      trx,
      ws,
      {
        kind: 'manual',
        status: 'confirmed',
        title: title ?? problemTitle('area', topic, area, []),
        topic,
        area,
        areaKey,
        signature: {
          keys: topic && areaKey ? [`${topic}@${areaKey}`] : [],
          terms: [],
          teamId: null,
          human: true,
        },
        owner,
        ownerTeamId: named ? named.teamId : await teamIdNamed(trx, ws, owner),
        baseline: null,
        // The customer's messages, not the case's last activity (an agent's reply is wall time).
        ...(await eventSpan(trx, [c.id])),
      },
      now,
    );
    await problemEvent(
      trx,
      ws,
      row.id,
      'created',
      { fromCase: c.id },
      { now, actorType: actor.type, actorId: actor.id },
    );
    await insertLinks(
      trx,
      ws,
      [
        {
          problemId: row.id,
          caseId: c.id,
          customerId: c.customer_id,
          source: 'manual',
          linkedAt: now,
        },
      ],
      now,
    );
    await recordCasesLinked(trx, ws, [c.id], row, actor, 'created_from_case', now);
    await recountProblem(trx, row.id, now);
    await queueEscalations(trx, ws, row.id, 'problem.opened', now);
    return load(trx, ws, row.id);
  });
}

/**
 * Links (or unlinks) cases by hand. Idempotent: a case the problem holds already (or named twice)
 * is linked once, with one history entry naming only the cases that joined. A request naming no
 * case at all is refused (400), as is one naming a case the workspace does not have (404, naming
 * them all; nothing is changed).
 */
export async function setLinks(
  db: Kysely<DB>,
  actor: ProblemActor,
  problemId: string,
  input: { link?: string[]; unlink?: string[]; expectedVersion?: number },
  now: number,
) {
  const ws = actor.workspaceId;
  if (!input.link?.length && !input.unlink?.length)
    throw new AppError('bad_request', 'nothing to do: give case ids to link or unlink');
  // Linked and unlinked at once says two things about one case: which was meant is unknown.
  const unlinking = new Set(input.unlink ?? []);
  const both = [...new Set(input.link ?? [])].filter((id) => unlinking.has(id));
  if (both.length > 0)
    throw new AppError('bad_request', `both linked and unlinked: ${both.join(', ')}`, {
      both,
    });
  return db.transaction().execute(async (trx) => {
    await shareCaseWrites(trx); // before any row lock: case-writes-lock.ts
    const p = await loadForUpdate(trx, ws, problemId);
    checkProblemVersion(p, input.expectedVersion);
    if (p.merged_into)
      throw new AppError('invalid_transition', `problem ${p.id} was merged into ${p.merged_into}`);
    const joined = await linkCases(trx, actor, p, input.link ?? [], now);
    // Only cases linked now: unlinking is idempotent, and the history names what changed.
    const unlink = input.unlink?.length
      ? (
          await trx
            .selectFrom('problem_links')
            .select('case_id')
            .where('problem_id', '=', problemId)
            .where('case_id', 'in', input.unlink)
            .where('unlinked_at', 'is', null)
            .execute()
        ).map((l) => l.case_id)
      : [];
    if (unlink.length > 0) {
      // Counted after the cases linked now joined: replacing every case at once leaves some.
      refuseEmptying(p, (await liveCaseIds(trx, problemId)).size, unlink.length, 'an unlink');
      await releaseFromFix(trx, ws, problemId, unlink, now, 'unlinked from the problem');
      await trx
        .updateTable('problem_links')
        .set({ unlinked_at: now, resolve_due_at: null })
        .where('problem_id', '=', problemId)
        .where('case_id', 'in', unlink)
        .execute();
      await cancelUnlinkedNotices(trx, problemId, unlink, 'the case was unlinked from the problem');
      await recordCasesUnlinked(trx, ws, unlink, p, actor, 'by_hand', now);
      await problemEvent(
        trx,
        ws,
        problemId,
        'unlinked',
        { caseIds: unlink },
        { now, actorType: actor.type, actorId: actor.id },
      );
    }
    // Nothing joined or left (held already, not held): no change, so no new version that would
    // make another person's request, read from the same copy, a spurious 409.
    if (joined === 0 && unlink.length === 0) return p;
    // A person chose its cases: the detector no longer reshapes it (see `markHuman`).
    await markHuman(trx, p, now);
    await recountProblem(trx, problemId, now);
    if (joined > 0) await widenSpan(trx, problemId, input.link!);
    return load(trx, ws, problemId);
  });
}

/**
 * The cases named that the problem does not hold yet join it (all of them exist, or 404).
 * Returns how many joined.
 */
async function linkCases(
  trx: Kysely<DB>,
  actor: ProblemActor,
  p: ProblemRow,
  ids: readonly string[],
  now: number,
): Promise<number> {
  const ws = actor.workspaceId;
  const problemId = p.id;
  const held = await liveCaseIds(trx, problemId);
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return 0;
  const found = await trx
    .selectFrom('cases')
    .select(['id', 'customer_id'])
    .where('workspace_id', '=', ws)
    .where('id', 'in', wanted)
    .execute();
  const missing = wanted.filter((id) => !found.some((c) => c.id === id));
  if (missing.length > 0)
    throw new AppError('not_found', `no such case: ${missing.join(', ')}`, { missing });
  const cases = found.filter((c) => !held.has(c.id));
  if (cases.length === 0) return 0;
  await refuseErasedCases(
    trx,
    cases.map((c) => c.id),
  );
  for (const c of cases) await refuseCaseOfOpenProblem(trx, c.id, problemId);
  await insertLinks(
    trx,
    ws,
    cases.map((c) => ({
      problemId,
      caseId: c.id,
      customerId: c.customer_id,
      source: 'manual' as const,
      linkedAt: now,
    })),
    now,
  );
  const joined = cases.map((c) => c.id);
  await recordCasesLinked(trx, ws, joined, p, actor, 'by_hand', now);
  await problemEvent(
    trx,
    ws,
    problemId,
    'linked',
    { caseIds: joined },
    { now, actorType: actor.type, actorId: actor.id },
  );
  // Joining a fixed problem: told of the fix, and waiting for the customer like the others.
  await joinFixedProblem(trx, actor, p, joined, now);
  return joined.length;
}

/**
 * A split or an unlink taking every case out of a problem that is not closed is refused (422),
 * the same way by both. Left empty, a problem of any status but closed still acts as if it had
 * customers: it is escalated and its updates are posted; a fixed or verified one goes on to
 * verify, close or reopen (complaints returning) with nobody to tell; a suspected one, marked
 * human by the change (`markHuman`), is no longer expired by the detector and would stay
 * suspected for good. A person emptying a problem means it is none (or another's): closing it,
 * or merging it into the other, says so and tells its tools. A closed problem's links are
 * history (a merged-away one holds none): taking its last case out tells nobody anything, so
 * it is allowed.
 */
function refuseEmptying(
  p: { status: string },
  held: number,
  leaving: number,
  what: 'a split' | 'an unlink',
) {
  if (p.status === 'closed' || leaving < held) return;
  throw new AppError(
    'invalid_transition',
    `${what} must leave the problem at least one case: these are all of its cases, and a ${p.status} problem holding none would still be escalated and updated as if it had customers; close it, or merge it into another, instead`,
  );
}

/**
 * A person changed which cases the problem holds: from now on the detector leaves its shape
 * (topic, area, keys, automatic expiry) to people, as it does after any other human action.
 */
async function markHuman(
  trx: Kysely<DB>,
  p: { id: string; signature_json: string | null },
  now: number,
) {
  const sig = signatureOf(p);
  await trx
    .updateTable('problems')
    .set({
      signature_json: JSON.stringify({ ...sig, human: true }),
      updated_at: now,
      version: sql<number>`version + 1`,
    })
    .where('id', '=', p.id)
    .execute();
}

/**
 * A problem's span in event time takes in the cases a person linked (`eventSpan`): a customer who
 * wrote after its last complaint moves `lastEventAt` on, as a complaint the detector links does.
 */
async function widenSpan(trx: Kysely<DB>, problemId: string, caseIds: readonly string[]) {
  const { detectedAt: last, firstEventAt: first } = await eventSpan(trx, caseIds);
  await trx
    .updateTable('problems')
    .set({
      first_event_at: sql<number>`case when ${first} < first_event_at then ${first} else first_event_at end`,
      last_event_at: sql<number>`case when ${last} > last_event_at then ${last} else last_event_at end`,
    })
    .where('id', '=', problemId)
    .execute();
}

/**
 * When the trouble of the given cases happened, in event time as issue #6 wants `detectedAt`:
 * detected at their customers' latest message, first seen at their earliest (as a problem made
 * by hand from a case is: its last message, its opening). Not the wall time of the person's
 * action, nor `linked_at` (wall time for a link made by hand), which a replay of history or a
 * split made a day later would show instead of when the customers wrote.
 */
async function eventSpan(trx: Kysely<DB>, caseIds: readonly string[]) {
  const m = await trx
    .selectFrom('messages')
    .select([
      sql<number | null>`min(sent_at)`.as('first'),
      sql<number | null>`max(sent_at)`.as('last'),
    ])
    .where('case_id', 'in', caseIds)
    .where('direction', '=', 'in')
    .executeTakeFirst();
  if (m?.first != null && m.last != null)
    return { detectedAt: Number(m.last), firstEventAt: Number(m.first) };
  // No customer message kept (a case opened by an agent): the cases' own times, event time too.
  const c = await trx
    .selectFrom('cases')
    .select([sql<number>`min(opened_at)`.as('first'), sql<number>`max(last_message_at)`.as('last')])
    .where('id', 'in', caseIds)
    .executeTakeFirstOrThrow();
  return { detectedAt: Number(c.last), firstEventAt: Number(c.first) };
}

/** Splits some cases off into a new problem (same topic and area, its own lifecycle). */
export async function splitProblem(
  db: Kysely<DB>,
  actor: ProblemActor,
  sourceId: string,
  named: string[],
  title: string | undefined,
  now: number,
  expectedVersion?: number,
) {
  const ws = actor.workspaceId;
  // A case named twice is split off once (and recorded once in both histories).
  const caseIds = [...new Set(named)];
  const name = cleanTitle(title);
  return db.transaction().execute(async (trx) => {
    await shareCaseWrites(trx); // before any row lock: case-writes-lock.ts
    const src = await loadForUpdate(trx, ws, sourceId);
    checkProblemVersion(src, expectedVersion);
    // A merged-away problem holds no cases: that is what is wrong, not the cases named.
    if (src.merged_into)
      throw new AppError(
        'invalid_transition',
        `problem ${src.id} was merged into ${src.merged_into}`,
      );
    const links = await trx
      .selectFrom('problem_links')
      .selectAll()
      .where('problem_id', '=', src.id)
      .where('case_id', 'in', caseIds)
      .where('unlinked_at', 'is', null)
      .execute();
    // As /links refuses a request naming an unknown case: the whole split or nothing, so the
    // person learns which cases were not the problem's instead of splitting off fewer.
    const outside = caseIds.filter((id) => !links.some((l) => l.case_id === id));
    if (outside.length > 0)
      throw new AppError('not_found', `not linked to this problem: ${outside.join(', ')}`, {
        missing: outside,
      });
    // Every case split off: that is a new title (or a merge), not a split.
    refuseEmptying(src, (await liveCaseIds(trx, src.id)).size, links.length, 'a split');
    await markHuman(trx, src, now);
    const row = await insertProblem(
      trx,
      ws,
      {
        kind: 'manual',
        status: 'confirmed',
        title: name ?? `${src.title} (split)`,
        topic: src.topic,
        area: src.area_json ? (JSON.parse(src.area_json) as ProblemArea) : null,
        areaKey: src.area_key,
        signature: { keys: [], terms: [], teamId: null, human: true },
        owner: src.owner,
        ownerTeamId: src.owner_team_id,
        baseline: null,
        ...(await eventSpan(
          trx,
          links.map((l) => l.case_id),
        )),
      },
      now,
    );
    // The new problem is not fixed: cases told of the source's fix go back to the desk.
    await releaseFromFix(trx, ws, src.id, caseIds, now, 'split off into a new problem');
    await trx
      .updateTable('problem_links')
      .set({ unlinked_at: now, resolve_due_at: null })
      .where('problem_id', '=', src.id)
      .where('case_id', 'in', caseIds)
      .execute();
    const why = `the case was split off into problem #${row.number} (${row.id})`;
    await cancelUnlinkedNotices(trx, src.id, caseIds, why);
    await insertLinks(
      trx,
      ws,
      links.map((l) => ({
        problemId: row.id,
        caseId: l.case_id,
        customerId: l.customer_id,
        source: 'manual' as const,
        linkedAt: l.linked_at,
      })),
      now,
    );
    const moved = links.map((l) => l.case_id);
    await recordCasesUnlinked(trx, ws, moved, src, actor, 'split', now, row);
    await recordCasesLinked(trx, ws, moved, row, actor, 'split', now, src);
    const by = { now, actorType: actor.type, actorId: actor.id };
    const splitOff = new Set(links.map((l) => l.customer_id));
    await tellSplitOff(trx, ws, src, { problemId: row.id, status: 'confirmed' }, splitOff, by);
    await problemEvent(trx, ws, src.id, 'split', { newProblemId: row.id, caseIds }, by);
    await problemEvent(trx, ws, row.id, 'split_from', { sourceId: src.id, caseIds }, by);
    await recountProblem(trx, src.id, now);
    await recountProblem(trx, row.id, now);
    await queueEscalations(trx, ws, row.id, 'problem.opened', now);
    await queueEscalations(trx, ws, src.id, 'problem.updated', now);
    return load(trx, ws, row.id);
  });
}
