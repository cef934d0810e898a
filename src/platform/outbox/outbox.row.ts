import { newId } from '../ids.js';

/**
 * A new outbox row: pending, never tried, due at `dueAt` (at once unless held back). Every side
 * effect is queued this way, in the transaction of the change it follows, so one shape serves all.
 */
export function outboxRow(p: {
  workspaceId: string;
  kind: string;
  /** Idempotency key: a second row with the same key is the same delivery. */
  key: string;
  payload: unknown;
  now: number;
  dueAt?: number;
  id?: string;
}) {
  return {
    id: p.id ?? newId(),
    workspace_id: p.workspaceId,
    kind: p.kind,
    idempotency_key: p.key,
    payload_json: JSON.stringify(p.payload),
    status: 'pending' as const,
    attempts: 0,
    next_attempt_at: p.dueAt ?? p.now,
    last_error: null,
    created_at: p.now,
    delivered_at: null,
  };
}
