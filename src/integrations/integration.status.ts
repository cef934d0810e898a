import { Type } from '@sinclair/typebox';
import type { Database } from '../platform/db/database.js';

/**
 * How an escalation target's deliveries fare, read from its outbox rows: a provider that refuses
 * an event (PagerDuty's 400 "invalid event") is not retried, as it would refuse it again, and
 * the incident there no longer follows the problem. Without this the only trace was a log line
 * and a failed outbox row nobody reads; here the admin sees it next to the target.
 */
export const DeliveryStatusDto = Type.Object({
  /** Events queued and not delivered or given up yet (waiting, backing off). */
  pending: Type.Integer(),
  /** Events given up (refused, or failed too often): each is missing at the target. */
  failed: Type.Integer(),
  lastDeliveredAt: Type.Union([Type.String(), Type.Null()]),
  /** The latest event given up, with the reason the provider gave (credentials scrubbed). */
  lastFailure: Type.Union([
    Type.Object({
      event: Type.String(),
      problemId: Type.String(),
      queuedAt: Type.String(),
      attempts: Type.Integer(),
      error: Type.String(),
    }),
    Type.Null(),
  ]),
  /** The latest error of a pending event (the reason it is backing off), if any. */
  retrying: Type.Union([Type.String(), Type.Null()]),
});

export interface DeliveryStatus {
  pending: number;
  failed: number;
  lastDeliveredAt: string | null;
  lastFailure: {
    event: string;
    problemId: string;
    queuedAt: string;
    attempts: number;
    error: string;
  } | null;
  retrying: string | null;
}

/** The delivery status of one integration (rows keyed `problem_escalate:<id>:…`, escalate.ts). */
export async function deliveryStatus(
  database: Database,
  integrationId: string,
): Promise<DeliveryStatus> {
  const { db } = database;
  const rows = () =>
    db
      .selectFrom('outbox')
      .where('kind', '=', 'problem_escalate')
      .where('idempotency_key', 'like', `problem_escalate:${integrationId}:%`);
  const counts = await rows()
    .select(['status', (eb) => eb.fn.countAll<number>().as('n')])
    .groupBy('status')
    .execute();
  const count = (s: string) => Number(counts.find((c) => c.status === s)?.n ?? 0);
  const delivered = await rows()
    .select((eb) => eb.fn.max('delivered_at').as('at'))
    .where('status', '=', 'delivered')
    .executeTakeFirst();
  const failed = await rows()
    .select(['payload_json', 'created_at', 'attempts', 'last_error'])
    .where('status', '=', 'failed')
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  // Waiting behind an earlier row is no error of its own (dispatch.ts, `OutboxDeferred`).
  const retrying = await rows()
    .select('last_error')
    .where('status', '=', 'pending')
    .where('last_error', 'is not', null)
    .where('last_error', 'not like', 'deferred:%')
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  const payload = failed
    ? (JSON.parse(failed.payload_json) as { event?: string; problemId?: string })
    : null;
  return {
    pending: count('pending'),
    failed: count('failed'),
    // PostgreSQL returns bigint columns as strings.
    lastDeliveredAt:
      delivered?.at === null || delivered?.at === undefined
        ? null
        : new Date(Number(delivered.at)).toISOString(),
    lastFailure: failed
      ? {
          event: payload?.event ?? '',
          problemId: payload?.problemId ?? '',
          queuedAt: new Date(Number(failed.created_at)).toISOString(),
          attempts: Number(failed.attempts),
          error: failed.last_error ?? '',
        }
      : null,
    retrying: retrying?.last_error ?? null,
  };
}
