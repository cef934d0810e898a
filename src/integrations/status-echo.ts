import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { problemEvent } from '../problems/problem.store.js';

/**
 * The history entry of a status the desk itself made a provider take (a Jira issue moved to a
 * status category, a PagerDuty trigger, acknowledge or resolve): `data.reported` is what the
 * provider's status webhook will say of it, `data.integration` the integration.
 */
export const STATUS_PUSHED = 'status_pushed';

/**
 * How far apart the desk's call and the provider's event of it may be (the provider stamps the
 * event while answering the call; the desk records the call when the answer is in) and still be
 * that call's echo. Short, so that a person in Jira who moves the issue back a minute later is
 * heard.
 */
export const ECHO_WINDOW_MS = 30_000;

export async function recordPushed(
  db: Kysely<DB>,
  ws: string,
  problemId: string,
  integrationId: string,
  pushed: readonly string[],
  now: number,
): Promise<void> {
  for (const reported of pushed)
    await problemEvent(
      db,
      ws,
      problemId,
      STATUS_PUSHED,
      { integration: integrationId, reported },
      { now, eventAt: now },
    );
}

/**
 * Whether a provider status event is the echo of the desk's own call: the same integration
 * reporting what the desk made it take, within `ECHO_WINDOW_MS` of that call. The outbound
 * adapters read the problem's status when a delivery starts, so a person's change made while the
 * calls were in flight (fixed while the issue was being moved to In Progress) was undone by the
 * echo, which is newer than the change on the provider's clock (QA: fixed went back to fixing,
 * customers were told work had started again, PagerDuty was paged anew).
 */
export async function ownEcho(
  db: Kysely<DB>,
  problemId: string,
  integrationId: string,
  reported: string,
  at: number,
): Promise<boolean> {
  const rows = await db
    .selectFrom('problem_events')
    .select(['data_json', 'created_at'])
    .where('problem_id', '=', problemId)
    .where('type', '=', STATUS_PUSHED)
    .where('created_at', '>=', at - ECHO_WINDOW_MS)
    .where('created_at', '<=', at + ECHO_WINDOW_MS)
    .execute();
  return rows.some((r) => {
    const d = JSON.parse(r.data_json) as { integration?: string; reported?: string };
    return d.integration === integrationId && d.reported === reported;
  });
}
