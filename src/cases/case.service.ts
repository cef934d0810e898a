/** Status, priority, queue and assignee changes, and internal notes. */
import type { Kysely } from 'kysely';
import { sendSurveyOnResolve } from '../csat/csat.service.js';
import { erasedRefusal, isErasedCase, refuseErasedCase } from '../customers/erased.js';
import { caseWriteTransaction } from '../platform/db/case-writes-lock.js';
import type { CaseStatus, DB, Priority } from '../platform/db/schema.js';
import { AppError } from '../platform/errors.js';
import type { Actor } from '../platform/http/auth.js';
import { newId } from '../platform/ids.js';
import { applySla, type SlaEvent } from '../sla/sla.store.js';
import { slaEvent } from './case.sla.js';
import { type CaseChanges, caseEvent, checkVersion, claimVersion, loadCase } from './case.store.js';

/** Which status may follow which; anything else is refused with `invalid_transition`. */
const TRANSITIONS: Record<CaseStatus, CaseStatus[]> = {
  new: ['open', 'pending', 'resolved', 'closed'],
  open: ['pending', 'resolved', 'closed'],
  pending: ['open', 'resolved', 'closed'],
  resolved: ['open', 'closed'],
  closed: ['open'],
};

export interface CaseUpdate {
  status?: CaseStatus;
  statusReason?: 'customer' | 'internal' | null;
  /** Why (free text, kept in the history): "refund issued", "duplicate of #12". */
  reason?: string;
  assigneeId?: string | null;
  priority?: Priority;
  expectedVersion?: number;
}

/** What a case change needs to know of the deployment: where links sent to customers point. */
export interface CaseLinks {
  publicUrl: string;
}

export async function updateCase(
  db: Kysely<DB>,
  actor: Actor,
  caseId: string,
  input: CaseUpdate,
  now: number,
  links: CaseLinks,
) {
  // Clocks and timers: under the case-write lock, as the scheduler's batches (case-writes-lock.ts).
  return caseWriteTransaction(db, (trx) => updateInTrx(trx, actor, caseId, input, now, links));
}

/** `updateCase` inside the caller's transaction. */
export async function updateInTrx(
  trx: Kysely<DB>,
  actor: Actor,
  caseId: string,
  input: CaseUpdate,
  now: number,
  links: CaseLinks,
) {
  {
    const c = await loadCase(trx, actor.workspaceId, caseId);
    await checkVersion(trx, c, input.expectedVersion);
    // An erased case may still be resolved, closed, assigned or reprioritised (ids and statuses
    // are what erasure keeps), but a reason is free text that could name the person again.
    const erased = await isErasedCase(trx, c);
    if (erased && input.reason?.trim()) throw erasedRefusal();
    const set: CaseChanges = {};
    let resolvedNow = false;
    if (input.status !== undefined && input.status !== c.status) {
      if (!TRANSITIONS[c.status].includes(input.status)) {
        throw new AppError(
          'invalid_transition',
          `a ${c.status} case cannot become ${input.status}`,
        );
      }
      set.status = input.status;
      set.status_reason = input.status === 'pending' ? (input.statusReason ?? 'customer') : null;
      if (input.status === 'resolved') set.resolved_at = now;
      if (input.status === 'closed') set.closed_at = now;
      if (input.status === 'open') {
        set.resolved_at = null;
        set.closed_at = null;
      }
      await caseEvent(
        trx,
        actor.workspaceId,
        c.id,
        actor,
        'status_changed',
        {
          from: c.status,
          to: input.status,
          reason: set.status_reason,
          why: input.reason ?? null,
        },
        now,
      );
      const slaType: SlaEvent['type'] | null =
        input.status === 'pending'
          ? set.status_reason === 'customer'
            ? 'pending_customer'
            : null
          : input.status === 'resolved'
            ? 'resolved'
            : input.status === 'closed'
              ? 'closed'
              : input.status === 'open'
                ? c.status === 'pending'
                  ? 'resumed'
                  : c.status === 'resolved' || c.status === 'closed'
                    ? 'reopened'
                    : null
                : null;
      if (slaType) {
        const e = slaEvent(c, slaType, now);
        // Pending pauses next response and resolution, never first response: an unanswered
        // case set pending would otherwise dodge its first-response target.
        if (slaType === 'pending_customer') e.firstResponseRuns = true;
        await applySla(trx, actor.workspaceId, [e], now);
      }
      if (input.status === 'resolved') resolvedNow = true;
    } else if (input.statusReason !== undefined && c.status === 'pending') {
      set.status_reason = input.statusReason;
    }
    if (input.assigneeId !== undefined && input.assigneeId !== c.assignee_id) {
      if (input.assigneeId !== null) {
        const user = await trx
          .selectFrom('users')
          .select('id')
          .where('workspace_id', '=', actor.workspaceId)
          .where('id', '=', input.assigneeId)
          .where('disabled_at', 'is', null)
          .executeTakeFirst();
        if (!user) throw new AppError('bad_request', 'assigneeId is not an active user');
      }
      set.assignee_id = input.assigneeId;
      await caseEvent(
        trx,
        actor.workspaceId,
        c.id,
        actor,
        'assigned',
        {
          from: c.assignee_id,
          to: input.assigneeId,
        },
        now,
      );
    }
    if (input.priority !== undefined && input.priority !== c.priority) {
      set.priority = input.priority;
      await caseEvent(
        trx,
        actor.workspaceId,
        c.id,
        actor,
        'priority_changed',
        {
          from: c.priority,
          to: input.priority,
        },
        now,
      );
    }
    if (Object.keys(set).length === 0) return c;
    // Conditional on the version checked above: a concurrent change that got there first makes
    // this one a 409, not a silent overwrite.
    await claimVersion(trx, c, input.expectedVersion, { ...set, updated_at: now });
    if (resolvedNow) await sendSurveyOnResolve(trx, actor, c.id, now, links.publicUrl);
    return loadCase(trx, actor.workspaceId, c.id);
  }
}

/** Adds an internal note; `@name` mentions of users (email local part) and teams are resolved. */
export async function addNote(
  db: Kysely<DB>,
  actor: Actor,
  caseId: string,
  body: string,
  now: number,
) {
  const text = body.trim();
  if (!text) throw new AppError('bad_request', 'note is empty');
  return db.transaction().execute(async (trx) => {
    const c = await loadCase(trx, actor.workspaceId, caseId);
    // A note on an erased case is new text about the person the erasure removed.
    await refuseErasedCase(trx, c);
    const handles = [...new Set([...text.matchAll(/@([\w.-]+)/g)].map((m) => m[1].toLowerCase()))];
    const mentions: { type: 'user' | 'team'; id: string; handle: string }[] = [];
    if (handles.length > 0) {
      const users = await trx
        .selectFrom('users')
        .select(['id', 'email'])
        .where('workspace_id', '=', actor.workspaceId)
        .execute();
      const teams = await trx
        .selectFrom('teams')
        .select(['id', 'name'])
        .where('workspace_id', '=', actor.workspaceId)
        .execute();
      for (const h of handles) {
        const u = users.find((x) => x.email.split('@')[0] === h);
        if (u) mentions.push({ type: 'user', id: u.id, handle: h });
        const t = teams.find((x) => x.name.toLowerCase().replace(/\s+/g, '-') === h);
        if (t) mentions.push({ type: 'team', id: t.id, handle: h });
      }
    }
    const id = newId();
    await trx
      .insertInto('notes')
      .values({
        id,
        workspace_id: actor.workspaceId,
        case_id: c.id,
        author_id: actor.id,
        body: text,
        mentions_json: JSON.stringify(mentions),
        created_at: now,
      })
      .execute();
    await caseEvent(
      trx,
      actor.workspaceId,
      c.id,
      actor,
      'note_added',
      { noteId: id, mentions },
      now,
    );
    return {
      id,
      caseId: c.id,
      authorId: actor.id,
      body: text,
      mentions,
      createdAt: new Date(now).toISOString(),
    };
  });
}
