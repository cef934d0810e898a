import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import { queueProblemNotifications } from '../notify/notify.service.js';
import type { DB, ProblemTable } from '../platform/db/schema.js';
import { AppError, notFound } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { areaChain } from './detector/areas.js';
import { queueEscalations } from './escalate.js';
import { fill, loadProblemSettings, ownerFor } from './problem.settings.js';
import {
  insertLinks,
  insertProblem,
  type ProblemArea,
  type ProblemStatus,
  problemEvent,
  problemTitle,
  signatureOf,
} from './problem.store.js';

/** Who acts: a person or token (API) or the system (webhooks from Jira/PagerDuty). */
export interface ProblemActor {
  type: string;
  id: string | null;
  workspaceId: string;
}

/** The lifecycle; anything else is refused with `invalid_transition`. */
const TRANSITIONS: Record<ProblemStatus, ProblemStatus[]> = {
  suspected: ['confirmed', 'fixing', 'fixed', 'closed'],
  confirmed: ['fixing', 'fixed', 'closed'],
  fixing: ['confirmed', 'fixed', 'closed'],
  fixed: ['verified', 'fixing', 'closed'],
  verified: ['closed', 'fixing'],
  closed: ['confirmed', 'fixing'],
};

async function load(trx: Kysely<DB>, ws: string, id: string) {
  const row = await trx
    .selectFrom('problems')
    .selectAll()
    .where('workspace_id', '=', ws)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('problem');
  return row;
}

export interface StatusChange {
  status?: ProblemStatus;
  /** Message to every linked customer (optional for transitions, required for updates). */
  body?: string;
  etaAt?: number | null;
  owner?: string | null;
  externalRefs?: Record<string, string>;
  /** Do not message customers (internal transition). */
  silent?: boolean;
}

/**
 * Changes a problem's status and/or posts a status update. A public update goes to every linked
 * customer through the outbox; `fixed` also moves linked cases to pending-customer and schedules
 * their resolution after the quiet period (cancelled if the customer says it is still broken).
 */
export async function changeProblem(
  db: Kysely<DB>,
  actor: ProblemActor,
  id: string,
  change: StatusChange,
  now: number,
) {
  const ws = actor.workspaceId;
  return db.transaction().execute(async (trx) => {
    const p = await load(trx, ws, id);
    const from = p.status as ProblemStatus;
    const to = change.status ?? from;
    if (to !== from && !TRANSITIONS[from].includes(to)) {
      throw new AppError('invalid_transition', `a ${from} problem cannot become ${to}`);
    }
    const sig = signatureOf(p);
    sig.human = sig.human || actor.type !== 'system';
    const set: Record<string, unknown> = {
      status: to,
      signature_json: JSON.stringify(sig),
      updated_at: now,
      version: sql<number>`version + 1`,
    };
    if (change.etaAt !== undefined) set.eta_at = change.etaAt;
    if (change.owner !== undefined) set.owner = change.owner;
    if (change.externalRefs) {
      set.external_refs_json = JSON.stringify({
        ...JSON.parse(p.external_refs_json),
        ...change.externalRefs,
      });
    }
    if (to === 'fixed' && from !== 'fixed') set.fixed_at = now;
    if (to === 'closed') set.closed_at = now;
    if (to !== 'closed' && from === 'closed') set.closed_at = null;
    if ((to === 'fixing' || to === 'confirmed') && (from === 'fixed' || from === 'verified')) {
      set.fixed_at = null;
      set.still_broken_count = 0;
    }
    await trx.updateTable('problems').set(set).where('id', '=', id).execute();
    if (to !== from) {
      await problemEvent(
        trx,
        ws,
        id,
        'status_changed',
        { from, to },
        { now, actorType: actor.type, actorId: actor.id },
      );
      await queueEscalations(trx, ws, id, `problem.${to}`, now);
    }
    const settings = await loadProblemSettings(trx, ws);
    let notified = 0;
    const eta = change.etaAt ?? p.eta_at;
    const shouldNotify =
      !change.silent &&
      (change.body !== undefined ||
        (to !== from && (to === 'fixed' || to === 'fixing' || to === 'confirmed')));
    if (shouldNotify) {
      const updateId = newId();
      const text = fill(to === 'fixed' ? settings.fixedTemplate : settings.updateTemplate, {
        title: p.title,
        status: to,
        body: change.body ?? '',
        eta:
          eta && to !== 'fixed'
            ? ` Next update by ${new Date(eta).toISOString().slice(11, 16)} UTC.`
            : '',
      })
        .replace(/\s+/g, ' ')
        .trim();
      await trx
        .insertInto('problem_updates')
        .values({
          id: updateId,
          workspace_id: ws,
          problem_id: id,
          status: to,
          body: change.body ?? '',
          eta_at: eta ?? null,
          author: actor.id,
          created_at: now,
        })
        .execute();
      notified = await queueProblemNotifications(trx, ws, id, updateId, text, now);
      await problemEvent(
        trx,
        ws,
        id,
        'update_posted',
        { updateId, notified },
        { now, actorType: actor.type, actorId: actor.id },
      );
    }
    if (to === 'fixed' && from !== 'fixed')
      await pendLinkedCases(trx, ws, id, now, settings.quietPeriodMinutes * 60_000);
    return { problem: await load(trx, ws, id), notified };
  });
}

/** Linked open cases wait for the customer; each resolves after the quiet period. */
async function pendLinkedCases(
  trx: Kysely<DB>,
  ws: string,
  problemId: string,
  now: number,
  quietMs: number,
) {
  const links = await trx
    .selectFrom('problem_links')
    .innerJoin('cases', 'cases.id', 'problem_links.case_id')
    .select(['problem_links.id as linkId', 'cases.id as caseId', 'cases.status'])
    .where('problem_links.problem_id', '=', problemId)
    .where('problem_links.unlinked_at', 'is', null)
    .execute();
  for (const l of links) {
    if (l.status === 'resolved' || l.status === 'closed') continue;
    await setCaseStatus(trx, ws, l.caseId, l.status, 'pending', 'customer', now, {
      problemId,
      why: 'problem fixed',
    });
    await trx
      .updateTable('problem_links')
      .set({ resolve_due_at: now + quietMs })
      .where('id', '=', l.linkId)
      .execute();
  }
}

/** A case status change made by the problems module, with its history entry. */
export async function setCaseStatus(
  trx: Kysely<DB>,
  ws: string,
  caseId: string,
  from: string,
  to: 'pending' | 'resolved',
  reason: string | null,
  now: number,
  data: Record<string, unknown>,
) {
  await trx
    .updateTable('cases')
    .set({
      status: to,
      status_reason: to === 'pending' ? reason : null,
      ...(to === 'resolved' ? { resolved_at: now } : {}),
      version: sql<number>`version + 1`,
      updated_at: now,
    })
    .where('id', '=', caseId)
    .execute();
  await trx
    .insertInto('case_events')
    .values({
      id: newId(),
      workspace_id: ws,
      case_id: caseId,
      type: 'status_changed',
      actor_type: 'system',
      actor_id: 'problems',
      data_json: JSON.stringify({ from, to, reason, ...data }),
      created_at: now,
      event_at: now,
    })
    .execute();
}

/** Creates a problem by hand from a case (linked at once). */
export async function createProblemFromCase(
  db: Kysely<DB>,
  actor: ProblemActor,
  input: {
    caseId: string;
    title?: string;
    topic?: string | null;
    area?: ProblemArea | null;
    owner?: string | null;
  },
  now: number,
) {
  const ws = actor.workspaceId;
  return db.transaction().execute(async (trx) => {
    const c = await trx
      .selectFrom('cases')
      .selectAll()
      .where('workspace_id', '=', ws)
      .where('id', '=', input.caseId)
      .executeTakeFirst();
    if (!c) throw notFound('case');
    const settings = await loadProblemSettings(trx, ws);
    const area = input.area ?? null;
    const areaKey = area ? areaChain({ ...area })[0] : null;
    const topic = input.topic ?? null;
    const row = await insertProblem(
      trx,
      ws,
      {
        kind: 'manual',
        status: 'confirmed',
        title: input.title ?? problemTitle('area', topic, area, []),
        topic,
        area,
        areaKey,
        signature: {
          keys: topic && areaKey ? [`${topic}@${areaKey}`] : [],
          terms: [],
          teamId: null,
          human: true,
        },
        owner: input.owner ?? ownerFor(settings, topic, areaKey),
        baseline: null,
        detectedAt: c.last_message_at,
        firstEventAt: c.opened_at,
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
    await trx
      .updateTable('problems')
      .set({ customer_count: 1, message_count: c.message_count })
      .where('id', '=', row.id)
      .execute();
    await queueEscalations(trx, ws, row.id, 'problem.opened', now);
    return load(trx, ws, row.id);
  });
}

/** Links (or unlinks) cases by hand. */
export async function setLinks(
  db: Kysely<DB>,
  actor: ProblemActor,
  problemId: string,
  input: { link?: string[]; unlink?: string[] },
  now: number,
) {
  const ws = actor.workspaceId;
  return db.transaction().execute(async (trx) => {
    await load(trx, ws, problemId);
    if (input.link?.length) {
      const cases = await trx
        .selectFrom('cases')
        .select(['id', 'customer_id'])
        .where('workspace_id', '=', ws)
        .where('id', 'in', input.link)
        .execute();
      if (cases.length !== new Set(input.link).size) throw notFound('case');
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
      await problemEvent(
        trx,
        ws,
        problemId,
        'linked',
        { caseIds: input.link },
        { now, actorType: actor.type, actorId: actor.id },
      );
    }
    if (input.unlink?.length) {
      await trx
        .updateTable('problem_links')
        .set({ unlinked_at: now, resolve_due_at: null })
        .where('problem_id', '=', problemId)
        .where('case_id', 'in', input.unlink)
        .execute();
      await problemEvent(
        trx,
        ws,
        problemId,
        'unlinked',
        { caseIds: input.unlink },
        { now, actorType: actor.type, actorId: actor.id },
      );
    }
    await recount(trx, problemId, now);
    return load(trx, ws, problemId);
  });
}

async function recount(trx: Kysely<DB>, problemId: string, now: number) {
  const c = await trx
    .selectFrom('problem_links')
    .select(sql<number>`count(distinct customer_id)`.as('n'))
    .where('problem_id', '=', problemId)
    .where('unlinked_at', 'is', null)
    .executeTakeFirst();
  await trx
    .updateTable('problems')
    .set({ customer_count: Number(c?.n ?? 0), updated_at: now })
    .where('id', '=', problemId)
    .execute();
}

/** Merges `sourceId` into `targetId`: links move, the source closes with `merged_into`. */
export async function mergeProblems(
  db: Kysely<DB>,
  actor: ProblemActor,
  sourceId: string,
  targetId: string,
  now: number,
) {
  if (sourceId === targetId)
    throw new AppError('bad_request', 'a problem cannot be merged into itself');
  const ws = actor.workspaceId;
  return db.transaction().execute(async (trx) => {
    const src = await load(trx, ws, sourceId);
    const dst = await load(trx, ws, targetId);
    const links = await trx
      .selectFrom('problem_links')
      .selectAll()
      .where('problem_id', '=', src.id)
      .where('unlinked_at', 'is', null)
      .execute();
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
    await trx
      .updateTable('problem_links')
      .set({ unlinked_at: now })
      .where('problem_id', '=', src.id)
      .execute();
    const sig = signatureOf(dst);
    const srcSig = signatureOf(src);
    sig.keys = [...new Set([...sig.keys, ...srcSig.keys])];
    sig.terms = [...new Set([...sig.terms, ...srcSig.terms])];
    await trx
      .updateTable('problems')
      .set({
        signature_json: JSON.stringify(sig),
        message_count: sql<number>`message_count + ${src.message_count}`,
        first_event_at: Math.min(src.first_event_at, dst.first_event_at),
      })
      .where('id', '=', dst.id)
      .execute();
    await trx
      .updateTable('problems')
      .set({
        status: 'closed',
        merged_into: dst.id,
        closed_at: now,
        updated_at: now,
        signature_json: JSON.stringify({ ...srcSig, keys: [] }),
      })
      .where('id', '=', src.id)
      .execute();
    await problemEvent(
      trx,
      ws,
      src.id,
      'merged_into',
      { targetId: dst.id },
      { now, actorType: actor.type, actorId: actor.id },
    );
    await problemEvent(
      trx,
      ws,
      dst.id,
      'merged_from',
      { sourceId: src.id, cases: links.length },
      { now, actorType: actor.type, actorId: actor.id },
    );
    await recount(trx, dst.id, now);
    return load(trx, ws, dst.id);
  });
}

/** Splits some cases off into a new problem (same topic and area, its own lifecycle). */
export async function splitProblem(
  db: Kysely<DB>,
  actor: ProblemActor,
  sourceId: string,
  caseIds: string[],
  title: string | undefined,
  now: number,
) {
  const ws = actor.workspaceId;
  return db.transaction().execute(async (trx) => {
    const src = await load(trx, ws, sourceId);
    const links = await trx
      .selectFrom('problem_links')
      .selectAll()
      .where('problem_id', '=', src.id)
      .where('case_id', 'in', caseIds)
      .where('unlinked_at', 'is', null)
      .execute();
    if (links.length === 0)
      throw new AppError('bad_request', 'none of these cases is linked to the problem');
    const row = await insertProblem(
      trx,
      ws,
      {
        kind: 'manual',
        status: 'confirmed',
        title: title ?? `${src.title} (split)`,
        topic: src.topic,
        area: src.area_json ? (JSON.parse(src.area_json) as ProblemArea) : null,
        areaKey: src.area_key,
        signature: { keys: [], terms: [], teamId: null, human: true },
        owner: src.owner,
        baseline: null,
        detectedAt: now,
        firstEventAt: Math.min(...links.map((l) => l.linked_at)),
      },
      now,
    );
    await trx
      .updateTable('problem_links')
      .set({ unlinked_at: now })
      .where('problem_id', '=', src.id)
      .where('case_id', 'in', caseIds)
      .execute();
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
    await problemEvent(
      trx,
      ws,
      src.id,
      'split',
      { newProblemId: row.id, caseIds },
      { now, actorType: actor.type, actorId: actor.id },
    );
    await recount(trx, src.id, now);
    await recount(trx, row.id, now);
    return load(trx, ws, row.id);
  });
}

export type ProblemRow = Selectable<ProblemTable>;
