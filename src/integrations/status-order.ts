import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { problemEvent } from '../problems/problem.store.js';

/**
 * The history entry of a Jira or PagerDuty status event the desk took (whether or not it moved
 * the problem): `event_at` is the provider's time of the event, `data.integration` the
 * integration it came through. It is the desk's memory of where each provider's own event stream
 * stands for the problem (`providerEventStale`).
 */
export const STATUS_REPORTED = 'status_reported';

interface OrderRow {
  type: string;
  actor_id: string | null;
  data_json: string;
  created_at: number | string;
  event_at: number | string;
}

/**
 * Whether a provider status event that happened at `at` (the provider's clock, epoch ms) says
 * nothing new about the problem: a duplicate, or older than an event of the same integration the
 * desk took already (compared on the provider's clock: deliveries may come late, and comparing
 * with when the desk applied the earlier one dropped a `done` that came 10 s after an
 * `indeterminate` delivered 15 s late, leaving the problem fixing); or older than the problem's
 * last status change made elsewhere (a person, the detector: the desk's clock), or than another
 * integration's last event the desk took (that provider's time of it), a state we have moved on
 * from. Another integration's event counts whether or not it moved the problem: a Jira `done`
 * that found the problem fixed already still says it was fixed at that time, and a PagerDuty
 * reopen from before it must not undo that (it did, in whichever order the two came in).
 * An event with no time (`at` null) cannot be ordered and is never stale, as before.
 */
export async function providerEventStale(
  db: Kysely<DB>,
  problemId: string,
  integrationId: string,
  at: number | null,
): Promise<boolean> {
  if (at === null) return false;
  const p = await db
    .selectFrom('problems')
    .select('created_at')
    .where('id', '=', problemId)
    .executeTakeFirst();
  const rows: OrderRow[] = await db
    .selectFrom('problem_events')
    .select(['type', 'actor_id', 'data_json', 'created_at', 'event_at'])
    .where('problem_id', '=', problemId)
    .where('type', 'in', ['status_changed', STATUS_REPORTED])
    .execute();
  const reports = rows.filter((r) => r.type === STATUS_REPORTED);
  // PostgreSQL returns bigint columns as strings.
  let own = Number.NEGATIVE_INFINITY;
  let elsewhere = p ? Number(p.created_at) : Number.NEGATIVE_INFINITY;
  for (const r of reports) {
    if (integrationOf(r) === integrationId) own = Math.max(own, Number(r.event_at));
    // Another integration's echo of the desk's own call moved nothing: no state to be newer than.
    else if (!echoOf(r)) elsewhere = Math.max(elsewhere, Number(r.event_at));
  }
  for (const s of rows) {
    if (s.type !== 'status_changed') continue;
    // A change a status webhook made is written with the same time and actor as its report, and
    // counts at the provider's time of the event (above).
    const byReport = reports.some(
      (r) => r.actor_id === s.actor_id && Number(r.created_at) === Number(s.created_at),
    );
    if (!byReport) elsewhere = Math.max(elsewhere, Number(s.created_at));
  }
  return at <= own || at < elsewhere;
}

/**
 * Records a provider status event the desk took (see `STATUS_REPORTED`). `now` must be the time
 * the status change (if any) was made with, and `actorId` its actor, so that the change is known
 * to have come from this event (`providerEventStale`).
 */
export async function recordProviderEvent(
  db: Kysely<DB>,
  ws: string,
  problemId: string,
  e: {
    integrationId: string;
    actorId: string;
    at: number;
    now: number;
    reported: string;
    /** The echo of the desk's own call (`ownEcho`), which moved nothing. */
    echo?: boolean;
  },
): Promise<void> {
  await problemEvent(
    db,
    ws,
    problemId,
    STATUS_REPORTED,
    { integration: e.integrationId, reported: e.reported, ...(e.echo ? { echo: true } : {}) },
    { now: e.now, eventAt: e.at, actorType: 'system', actorId: e.actorId },
  );
}

function echoOf(r: OrderRow): boolean {
  try {
    return (JSON.parse(r.data_json) as { echo?: boolean }).echo === true;
  } catch {
    return false;
  }
}

function integrationOf(r: OrderRow): string | undefined {
  try {
    return (JSON.parse(r.data_json) as { integration?: string }).integration;
  } catch {
    return undefined;
  }
}
