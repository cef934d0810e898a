import type { Kysely } from 'kysely';
import { shareCaseWrites } from '../platform/db/case-writes-lock.js';
import { retryConflicts } from '../platform/db/db-errors.js';
import type { DB } from '../platform/db/schema.js';
import { AppError } from '../platform/errors.js';
import { changeProblem, loadForUpdate } from '../problems/problem.service.js';
import type { ProblemStatus } from '../problems/problem.store.js';
import { ownEcho } from './status-echo.js';
import { providerEventStale, recordProviderEvent } from './status-order.js';

/** A provider's status event about a problem, as a status webhook reads it. */
export interface ProviderStatusEvent {
  /** The status the event says the problem is in, given its current one (null: no news). */
  target: (status: ProblemStatus) => ProblemStatus | null;
  /** The provider's time of the event (epoch ms; null when it gave none). */
  at: number | null;
  /** The actor of the change (and of its record): the integration's. */
  actorId: string;
  /** What the provider said (a Jira status category, a PagerDuty event type), for the history. */
  reported: string;
}

/**
 * Takes a provider's status event about a problem: nothing if it says nothing new or is stale
 * (`providerEventStale`), else the problem moves to its target (when it is not there already)
 * and the event is remembered with its provider time, with the change's own time and actor so the
 * change is known to be the provider's.
 *
 * All of it is one transaction holding the problem's row lock from before the stale check until
 * the record is written (on PostgreSQL `loadForUpdate` locks the row; on SQLite the transaction
 * has the desk's one connection to itself). Two webhooks about one problem arriving at once (a
 * Jira done and a PagerDuty reopen, or two of Jira's own) used to both pass the check, made
 * outside the change's transaction, and the one applied last won, however old; now the second
 * waits for the first and then sees its record, so the newer event on the providers' clocks wins
 * whichever runs first. The target is read off the status under the lock too.
 */
export async function takeProviderEvent(
  db: Kysely<DB>,
  now: () => number,
  integ: { id: string; workspace_id: string },
  problemId: string,
  e: ProviderStatusEvent,
): Promise<void> {
  const ws = integ.workspace_id;
  await retryConflicts(() =>
    db.transaction().execute(async (trx) => {
      // Before any row lock, as every writer of a problem's cases takes it (case-writes-lock.ts).
      await shareCaseWrites(trx);
      const p = await loadForUpdate(trx, ws, problemId);
      const to = e.target(p.status as ProblemStatus);
      if (!to) return;
      if (await providerEventStale(trx, problemId, integ.id, e.at)) return;
      const at = now();
      // The echo of the desk's own call is remembered (it orders later events) but moves nothing.
      const echo =
        to !== p.status &&
        e.at !== null &&
        (await ownEcho(trx, problemId, {
          integrationId: integ.id,
          actorId: e.actorId,
          reported: e.reported,
          at: e.at,
        }));
      if (to !== p.status && !echo)
        await changeProblem(
          trx,
          { type: 'system', id: e.actorId, workspaceId: ws, person: true },
          problemId,
          { status: to },
          at,
        ).catch((err) => {
          // Thrown before it wrote anything (a merged problem, a move its status does not allow):
          // the event is still remembered as taken.
          if (!(err instanceof AppError && err.code === 'invalid_transition')) throw err;
        });
      if (e.at !== null)
        await recordProviderEvent(trx, ws, problemId, {
          integrationId: integ.id,
          actorId: e.actorId,
          at: e.at,
          now: at,
          reported: e.reported,
          echo,
        });
    }),
  );
}
