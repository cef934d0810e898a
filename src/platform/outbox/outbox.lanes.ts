import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';

/*
 * Which deliveries may wait for each other. Escalations go to the company's own tools (Jira,
 * PagerDuty, Slack, any webhook), each of which can hang for its whole timeout: a Jira that hung
 * held every customer reply of the batch behind it. So each target is a lane of its own and a
 * slow one delays only its own events; everything else (replies and notices to customers) is the
 * desk's lane, delivered in the order it was queued. Within a lane the order is kept.
 */

/** The lane of an outbox row: `escalate:<integration>` for an escalation, null for the desk's. */
export function laneOf(kind: string, payloadJson: string): string | null {
  if (kind !== 'problem_escalate') return null;
  try {
    const { integrationId } = JSON.parse(payloadJson) as { integrationId?: unknown };
    return `escalate:${typeof integrationId === 'string' ? integrationId : ''}`;
  } catch {
    return 'escalate:';
  }
}

/** A claimed batch split into the desk's rows and each escalation lane's, in order. */
export function splitLanes<R extends { kind: string; payload_json: string }>(rows: R[]) {
  const desk: R[] = [];
  const lanes = new Map<string, R[]>();
  for (const r of rows) {
    const lane = laneOf(r.kind, r.payload_json);
    if (lane === null) desk.push(r);
    else lanes.set(lane, [...(lanes.get(lane) ?? []), r]);
  }
  return { desk, lanes };
}

/**
 * Delivers a lane's rows one after the other; returns how many were attempted. Stopping (a
 * SIGTERM): the delivery under way ends, the rest is handed back for the next start instead of
 * holding the shutdown for a lane of slow providers.
 */
export async function runLane<R>(
  rows: R[],
  deliver: (row: R) => Promise<void>,
  stopping: () => boolean,
  giveBack: (rest: R[]) => Promise<void>,
): Promise<number> {
  for (let i = 0; i < rows.length; i++) {
    if (stopping()) {
      await giveBack(rows.slice(i));
      return i;
    }
    await deliver(rows[i]);
  }
  return rows.length;
}

/** Rows claimed but not tried: due again at `at`, no attempt counted. */
export async function handBack(db: Kysely<DB>, rows: { id: string }[], at: number) {
  if (rows.length === 0) return;
  await db
    .updateTable('outbox')
    .set({ next_attempt_at: at })
    .where(
      'id',
      'in',
      rows.map((r) => r.id),
    )
    .where('status', '=', 'pending')
    .execute();
}
