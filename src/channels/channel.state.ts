import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import type { ConnectorError } from './connector-error.js';

/** Rate-limit state as the provider last reported it, per endpoint family. */
export interface RateLimitState {
  limit?: number;
  remaining?: number;
  /** Epoch ms when the window resets. */
  resetAt?: number;
  /** Epoch ms before which we do not call again (429 retry-after). */
  blockedUntil?: number;
  observedAt: number;
}

export type Health = 'ok' | 'degraded' | 'auth_revoked';

async function upsert(
  db: Kysely<DB>,
  workspaceId: string,
  channelId: string,
  now: number,
  set: Partial<{
    health: Health;
    last_event_at: number;
    last_error: string | null;
    last_error_at: number;
    rate_limit_json: string;
    cursors_json: string;
  }>,
  bumpErrors = false,
) {
  await db
    .insertInto('channel_state')
    .values({
      channel_id: channelId,
      workspace_id: workspaceId,
      health: set.health ?? 'ok',
      last_event_at: set.last_event_at ?? null,
      last_error: set.last_error ?? null,
      last_error_at: set.last_error_at ?? null,
      errors_total: bumpErrors ? 1 : 0,
      rate_limit_json: set.rate_limit_json ?? '{}',
      cursors_json: set.cursors_json ?? '{}',
      updated_at: now,
    })
    .onConflict((oc) =>
      oc.column('channel_id').doUpdateSet({
        ...set,
        ...(bumpErrors ? { errors_total: sql<number>`channel_state.errors_total + 1` } : {}),
        updated_at: now,
      }),
    )
    .execute();
}

/** A verified webhook delivery or poll result arrived. */
export function recordEvent(db: Kysely<DB>, workspaceId: string, channelId: string, now: number) {
  return upsert(db, workspaceId, channelId, now, { last_event_at: now });
}

/**
 * A provider call failed. Auth failures mark the channel `auth_revoked` until an admin
 * reconnects it (or a later call succeeds); the message itself stays queued or failed, never lost.
 */
export function recordError(
  db: Kysely<DB>,
  workspaceId: string,
  channelId: string,
  err: ConnectorError,
  now: number,
) {
  const health: Health = err.kind === 'auth_revoked' ? 'auth_revoked' : 'degraded';
  // The kind and the adapter's message: provider text in it is clipped, and adapters whose
  // providers may echo credentials blank them first (scrubSecrets).
  return upsert(
    db,
    workspaceId,
    channelId,
    now,
    { health, last_error: `${err.kind}: ${err.message}`.slice(0, 500), last_error_at: now },
    true,
  );
}

/** A provider call succeeded: the channel is healthy again. */
export function recordSuccess(db: Kysely<DB>, workspaceId: string, channelId: string, now: number) {
  return upsert(db, workspaceId, channelId, now, { health: 'ok' });
}

export async function readState(db: Kysely<DB>, channelId: string) {
  const row = await db
    .selectFrom('channel_state')
    .selectAll()
    .where('channel_id', '=', channelId)
    .executeTakeFirst();
  return {
    health: (row?.health ?? 'ok') as Health,
    lastEventAt: row?.last_event_at == null ? null : Number(row.last_event_at),
    lastError: row?.last_error ?? null,
    lastErrorAt: row?.last_error_at == null ? null : Number(row.last_error_at),
    errorsTotal: Number(row?.errors_total ?? 0),
    rateLimits: JSON.parse(row?.rate_limit_json ?? '{}') as Record<string, RateLimitState>,
    cursors: JSON.parse(row?.cursors_json ?? '{}') as Record<string, unknown>,
  };
}

export async function writeRateLimit(
  db: Kysely<DB>,
  workspaceId: string,
  channelId: string,
  family: string,
  state: RateLimitState,
  now: number,
) {
  const cur = await readState(db, channelId);
  cur.rateLimits[family] = state;
  await upsert(db, workspaceId, channelId, now, {
    rate_limit_json: JSON.stringify(cur.rateLimits),
  });
}

export async function writeCursors(
  db: Kysely<DB>,
  workspaceId: string,
  channelId: string,
  cursors: Record<string, unknown>,
  now: number,
) {
  await upsert(db, workspaceId, channelId, now, { cursors_json: JSON.stringify(cursors) });
}

/** Inbound events of this channel that the pipeline parked (could not process). */
export async function countParked(db: Kysely<DB>, workspaceId: string, channelId: string) {
  const row = await db
    .selectFrom('inbound_events')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('workspace_id', '=', workspaceId)
    .where('status', '=', 'parked')
    // The log stores the normalised message as JSON; channelId is one of its top-level keys.
    .where('payload_json', 'like', `%"channelId":${JSON.stringify(channelId)}%`)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
