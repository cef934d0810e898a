import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { problemEvent } from '../problems/problem.store.js';
import { STATUS_REPORTED } from './status-order.js';

/**
 * The history entry of a status the desk itself makes a provider take (a Jira issue moved to a
 * status category, a PagerDuty trigger, acknowledge or resolve), written just before the call:
 * `data.reported` is what the provider's status webhook will say of it, `data.integration` the
 * integration. Its actor is `escalation:<integration id>`.
 */
export const STATUS_PUSHED = 'status_pushed';

/** How long after the desk's call its echo may be stamped by the provider. */
const ECHO_WINDOW_MS = 30_000;
/** How far the provider's clock may be behind the desk's (an echo stamped before the call). */
const CLOCK_DRIFT_MS = 5_000;

export async function recordPushed(
  db: Kysely<DB>,
  ws: string,
  problemId: string,
  integrationId: string,
  reported: string,
  now: number,
): Promise<void> {
  await problemEvent(
    db,
    ws,
    problemId,
    STATUS_PUSHED,
    { integration: integrationId, reported },
    { now, eventAt: now, actorType: 'system', actorId: `escalation:${integrationId}` },
  );
}

interface EventRow {
  type: string;
  actor_id: string | null;
  data_json: string;
  created_at: number | string;
  event_at: number | string;
}

/**
 * Whether a provider status event is the echo of the desk's own call, which must not undo a change
 * made while the call was in flight (the outbound adapters read the problem's status when a
 * delivery starts: a problem fixed while its Jira issue was being moved to In Progress went back
 * to fixing when that move's webhook came in, newer on Jira's clock than the fix, and its
 * customers were told work had started again). It is one when:
 * - the desk told this integration to take what the event reports (`status_pushed`) at most
 *   `ECHO_WINDOW_MS` before the event (on the provider's clock, give or take its drift);
 * - that call's echo has not come in yet (one call, one echo: the on-call who reopens and
 *   resolves again 15 s later is heard);
 * - and the problem's status was changed since the call by anyone but this integration.
 * `actorId`: the integration's actor of status changes (`jiraActor`, `pagerDutyActor`).
 */
export async function ownEcho(
  db: Kysely<DB>,
  problemId: string,
  e: { integrationId: string; actorId: string; reported: string; at: number },
): Promise<boolean> {
  const rows: EventRow[] = await db
    .selectFrom('problem_events')
    .select(['type', 'actor_id', 'data_json', 'created_at', 'event_at'])
    .where('problem_id', '=', problemId)
    .where('type', 'in', [STATUS_PUSHED, STATUS_REPORTED, 'status_changed'])
    .where('created_at', '>=', e.at - ECHO_WINDOW_MS - CLOCK_DRIFT_MS)
    .execute();
  const data = (r: EventRow) =>
    JSON.parse(r.data_json) as { integration?: string; reported?: string };
  const mine = (r: EventRow) => {
    const d = data(r);
    return d.integration === e.integrationId && d.reported === e.reported;
  };
  // PostgreSQL returns bigint columns as strings.
  const pushes = rows
    .filter((r) => r.type === STATUS_PUSHED && mine(r))
    .map((r) => Number(r.created_at))
    .filter((t) => t <= e.at + CLOCK_DRIFT_MS && e.at - t <= ECHO_WINDOW_MS);
  if (pushes.length === 0) return false;
  const call = Math.max(...pushes);
  const answered = rows.some(
    (r) => r.type === STATUS_REPORTED && mine(r) && Number(r.event_at) >= call - CLOCK_DRIFT_MS,
  );
  if (answered) return false;
  return rows.some(
    (r) => r.type === 'status_changed' && Number(r.created_at) > call && r.actor_id !== e.actorId,
  );
}
