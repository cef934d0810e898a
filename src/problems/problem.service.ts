import type { Kysely, Selectable } from 'kysely';
import { sql } from 'kysely';
import { cancelUnsentNews } from '../notify/notify.cancel.js';
import { queueProblemNotifications } from '../notify/notify.service.js';
import { shareCaseWrites } from '../platform/db/case-writes-lock.js';
import type { DB, ProblemTable } from '../platform/db/schema.js';
import { AppError, notFound } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { queueEscalations } from './escalate.js';
import { DONE, etaIsNews } from './eta-news.js';
import { eventNow } from './event-clock.js';
import { ownerTeamNamed } from './owner-teams.js';
import { pendLinkedCases, reopenWaitingCases } from './problem.cases.js';
import { checkEta, checkProblemVersion, latestUpdate } from './problem.checks.js';
import { loadProblemSettings, noticeText } from './problem.settings.js';
import { type ProblemStatus, problemEvent, signatureOf } from './problem.store.js';

// Where callers outside the lifecycle found them before they moved to problem.cases.ts.
export { releaseFromFix, setCaseStatus } from './problem.cases.js';

/** Who acts: a person or token (API) or the system (webhooks from Jira/PagerDuty). */
export interface ProblemActor {
  type: string;
  id: string | null;
  workspaceId: string;
  /**
   * The change is a person's decision, so the detector leaves the problem's shape to people
   * from now on (`signature.human`). Defaults to "not the system"; a status coming back from the
   * owning team's tracker (Jira, PagerDuty) is a person's decision made there.
   */
  person?: boolean;
}

/** Whether the actor's change marks the problem as one people work on. */
export function byPerson(actor: ProblemActor): boolean {
  return actor.person ?? actor.type !== 'system';
}

/** The lifecycle; anything else is refused with `invalid_transition`. */
const TRANSITIONS: Record<ProblemStatus, ProblemStatus[]> = {
  suspected: ['confirmed', 'fixing', 'fixed', 'closed'],
  confirmed: ['fixing', 'fixed', 'closed'],
  fixing: ['confirmed', 'fixed', 'closed'],
  fixed: ['verified', 'fixing', 'confirmed', 'closed'],
  verified: ['closed', 'fixing', 'confirmed'],
  closed: ['confirmed', 'fixing'],
};

/** Whether a transition takes the problem back from a fix (or its closing) to work. */
function reopening(from: ProblemStatus, to: ProblemStatus) {
  return DONE.has(from) && (to === 'fixing' || to === 'confirmed');
}

/**
 * A problem of the workspace, or 404, with its row locked until the transaction ends (where
 * writers run concurrently): a no-op update takes the lock (waiting for a pipeline batch that
 * holds it, see `openProblems`), then the read sees what that batch committed. A person's change
 * is therefore written over the detector's latest, never over a stale copy. Portable: SQLite has
 * one writer anyway.
 */
export async function loadForUpdate(trx: Kysely<DB>, ws: string, id: string) {
  await trx
    .updateTable('problems')
    .set({ version: sql<number>`version` })
    .where('workspace_id', '=', ws)
    .where('id', '=', id)
    .execute();
  return load(trx, ws, id);
}

/** A problem of the workspace, or 404. */
export async function load(trx: Kysely<DB>, ws: string, id: string) {
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
  /** Refuse (409) if the problem's version is not this one: the caller read a stale copy. */
  expectedVersion?: number;
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
  // Words are compared with the last update's and sent to every customer: spaces around them
  // are no new words (a re-sent form must not message everyone again), and blank words none.
  const body = change.body?.trim() || undefined;
  change = { ...change, body };
  // Nothing to do is a mistake in the request, as an empty `…/links` is (not a silent 200).
  if (
    change.status === undefined &&
    body === undefined &&
    change.etaAt === undefined &&
    change.owner === undefined &&
    Object.keys(change.externalRefs ?? {}).length === 0
  )
    throw new AppError(
      'bad_request',
      'nothing to change: give status, body, etaAt, owner or externalRefs',
    );
  // Inside a caller's transaction (a provider's status webhook checks its order and records
  // itself under the same row lock: status-take.ts) the change joins it.
  const inTrx = <T>(fn: (trx: Kysely<DB>) => Promise<T>) =>
    db.isTransaction ? fn(db) : db.transaction().execute(fn);
  return inTrx(async (trx) => {
    await shareCaseWrites(trx); // before any row lock: case-writes-lock.ts
    const p = await loadForUpdate(trx, ws, id);
    checkProblemVersion(p, change.expectedVersion);
    const from = p.status as ProblemStatus;
    const to = change.status ?? from;
    // Merged into another: that problem carries its customers and its lifecycle now.
    if (p.merged_into)
      throw new AppError('invalid_transition', `problem ${id} was merged into ${p.merged_into}`);
    if (to !== from && !TRANSITIONS[from].includes(to)) {
      throw new AppError('invalid_transition', `a ${from} problem cannot become ${to}`);
    }
    // The owner named is the team whose agents may change it (owner-team.ts): an existing team,
    // spelled as the team is, so a repeat of it in other case is no change either.
    const owner =
      change.owner === undefined ? undefined : await ownerTeamNamed(trx, ws, change.owner);
    if (owner) change = { ...change, owner: owner.name };
    // A repeated request (a retry, a double click) changes nothing and messages no one again.
    if (await unchanged(trx, p, change)) return { problem: p, notified: 0 };
    // Its customers were told it is over; a new message to them needs the problem reopened.
    if (from === 'closed' && to === 'closed' && change.body !== undefined)
      throw new AppError(
        'conflict',
        'the problem is closed: reopen it (status fixing or confirmed) to message its customers',
      );
    checkEta(change.etaAt, now);
    // A fixed, verified or closed problem awaits no fix: an ETA on it would be news to no one
    // now and quoted to its customers as a promise when it is reopened. Reopen it with the ETA.
    if (change.etaAt != null && DONE.has(to))
      throw new AppError(
        'conflict',
        `a ${to} problem awaits no fix: give the ETA with its reopening (status fixing or confirmed)`,
      );
    const fixing = to === 'fixed' && from !== 'fixed';
    const sig = signatureOf(p);
    sig.human = sig.human || byPerson(actor);
    const set: Record<string, unknown> = {
      status: to,
      signature_json: JSON.stringify(sig),
      updated_at: now,
      version: sql<number>`version + 1`,
    };
    if (change.etaAt !== undefined) set.eta_at = change.etaAt;
    if (owner) {
      set.owner = owner.name;
      set.owner_team_id = owner.teamId;
    }
    if (change.externalRefs) {
      set.external_refs_json = JSON.stringify({
        ...JSON.parse(p.external_refs_json),
        ...change.externalRefs,
      });
    }
    if (fixing) {
      set.fixed_at = now;
      set.fixed_event_at = await eventNow(trx, ws, now);
      // Nothing is awaited any more: a later update or reopening must not quote the old ETA.
      set.eta_at = null;
    }
    if (to === 'closed') {
      set.closed_at = now;
      // Closed, nothing is expected any more: a reopening must not quote an ETA from before.
      set.eta_at = null;
    }
    if (to !== 'closed' && from === 'closed') set.closed_at = null;
    // Back from a fix, by any way (closed too: a fixed problem closed keeps its cases waiting on
    // the fix), does what the automatic reopening does (`reopen.ts` `backToFixing`): the fix no
    // longer stands, so no case may resolve on its schedule while the team works on it again.
    const unfixed = reopening(from, to);
    if (unfixed) {
      set.fixed_at = null;
      set.fixed_event_at = null;
      set.still_broken_count = 0;
    }
    // The row is locked since `loadForUpdate`: two people (or Jira and PagerDuty) marking it
    // fixed at once are applied one after the other, and the second finds it fixed already.
    await trx.updateTable('problems').set(set).where('id', '=', id).execute();
    if (unfixed) await reopenWaitingCases(trx, ws, id, now, `problem back to ${to} from ${from}`);
    // News from before a fix still waiting to go out (its hold, a customer's gap) would reach
    // customers after the closing ("we are looking into it" about a closed problem). A fix
    // notice still goes: it is the outcome they wait for.
    if (to === 'closed' && from !== 'closed') await cancelUnsentNews(trx, id);
    // The words of a status update reach the owning team's tools with the event they came with.
    const words = change.body ? { body: change.body } : undefined;
    if (to !== from) {
      await problemEvent(
        trx,
        ws,
        id,
        'status_changed',
        { from, to },
        { now, actorType: actor.type, actorId: actor.id },
      );
      // Back from a fix is a reopening for the owning team's tools (PagerDuty triggers again).
      await queueEscalations(
        trx,
        ws,
        id,
        unfixed ? 'problem.reopened' : `problem.${to}`,
        now,
        undefined,
        words,
      );
    }
    // A new owner or ETA, or words posted without a status change, are news for the owning
    // team's tools too; with a status change the status event already carries them.
    const edited: Record<string, unknown> = {};
    if (change.owner !== undefined && change.owner !== p.owner) edited.owner = change.owner;
    // PostgreSQL returns bigint columns as strings.
    const oldEta = p.eta_at === null ? null : Number(p.eta_at);
    if (change.etaAt !== undefined && change.etaAt !== oldEta)
      edited.etaAt = change.etaAt === null ? null : new Date(change.etaAt).toISOString();
    const oldRefs = JSON.parse(p.external_refs_json) as Record<string, string>;
    const newRefs = Object.entries(change.externalRefs ?? {}).filter(([k, v]) => oldRefs[k] !== v);
    if (newRefs.length > 0) edited.externalRefs = Object.fromEntries(newRefs);
    if (Object.keys(edited).length > 0) {
      await problemEvent(trx, ws, id, 'edited', edited, {
        now,
        actorType: actor.type,
        actorId: actor.id,
      });
    }
    if (to === from && (Object.keys(edited).length > 0 || words))
      await queueEscalations(trx, ws, id, 'problem.updated', now, undefined, words);
    const settings = await loadProblemSettings(trx, ws);
    let notified = 0;
    // An explicit null clears the ETA: the message must not repeat the old one.
    const eta = fixing ? null : change.etaAt !== undefined ? change.etaAt : p.eta_at;
    // Against the ETA customers were last told (the latest update's), not the stored one: moved
    // later in small silent steps, it still reaches them once it has moved far enough.
    const told =
      change.etaAt === undefined
        ? null
        : await trx
            .selectFrom('problem_updates')
            .select('eta_at')
            .where('problem_id', '=', id)
            .where('silent', '=', 0)
            .orderBy('created_at', 'desc')
            .orderBy('id', 'desc')
            .limit(1)
            .executeTakeFirst();
    const toldEta =
      told?.eta_at === null || told?.eta_at === undefined ? null : Number(told.eta_at);
    // A process problem (a team's broken promises, breaches, repeat contacts) is the team's own:
    // its cases' customers complained of something else, and hear nothing of it (QA: a fix told
    // them "Good news: the problem is fixed" and resolved cases whose callback was still owed).
    const internal = p.kind === 'process';
    const shouldNotify =
      !change.silent &&
      !internal &&
      (change.body !== undefined ||
        (to !== from && (to === 'fixed' || to === 'fixing' || to === 'confirmed')) ||
        etaIsNews(toldEta, change.etaAt, to, now));
    // Words posted silently are the team's record (an internal note, what was said elsewhere):
    // stored and shown, marked silent, only no customer is messaged.
    const silentWords = (change.silent === true || internal) && change.body !== undefined;
    if (shouldNotify || silentWords) {
      const updateId = newId();
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
          silent: shouldNotify ? 0 : 1,
        })
        .execute();
      if (shouldNotify) {
        // The fixed template announces the fix; later words on a fixed problem are an update.
        const text = noticeText(settings, p, to, change.body, eta, now, fixing);
        notified = await queueProblemNotifications(
          trx,
          ws,
          id,
          updateId,
          text,
          now,
          undefined,
          settings.noticeHoldMinutes * 60_000,
        );
      }
      await problemEvent(
        trx,
        ws,
        id,
        'update_posted',
        // Queued now, not told yet: how each customer fared is in the notifications.
        shouldNotify ? { updateId, queued: notified } : { updateId, queued: 0, silent: true },
        { now, actorType: actor.type, actorId: actor.id },
      );
    }
    if (fixing && !internal)
      await pendLinkedCases(trx, ws, id, now, settings.quietPeriodMinutes * 60_000);
    return { problem: await load(trx, ws, id), notified };
  });
}

/**
 * Whether a change would change nothing: the status it has (which is no transition: no fix
 * fan-out, no case moves, no history), the owner, ETA and references it has, and no words or the
 * very words of its latest update. A second "fixed" with the same text told every customer twice.
 */
async function unchanged(trx: Kysely<DB>, p: ProblemRow, change: StatusChange) {
  if (change.status !== undefined && change.status !== p.status) return false;
  if (change.owner !== undefined && change.owner !== p.owner) return false;
  const eta = p.eta_at === null ? null : Number(p.eta_at);
  if (change.etaAt !== undefined && change.etaAt !== eta) return false;
  const refs = JSON.parse(p.external_refs_json) as Record<string, string>;
  if (Object.entries(change.externalRefs ?? {}).some(([k, v]) => refs[k] !== v)) return false;
  if (change.body === undefined) return true;
  const last = await latestUpdate(trx, p.id);
  // The words of a silent note, posted again for customers, are news to them.
  if (last?.silent && !change.silent) return false;
  return last?.status === p.status && last.body.trim() === change.body;
}

export { FIX_STANDS, joinFixedProblem } from './problem.join-fixed.js';

export type ProblemRow = Selectable<ProblemTable>;
