import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type AuditActor, audit } from '../audit/audit.js';
import type { DB, Role, TokenRole } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { newId } from '../ids.js';

/**
 * API tokens are 256-bit random secrets shown once. Only their SHA-256 is stored: the secret's
 * entropy makes a slow hash unnecessary, and lookups stay one indexed equality.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * A stored time as ISO text. One no date can show (rows an older release let in, `--expires-in
 * 100000000d`) reads as null rather than failing the whole list: such an expiry never comes.
 */
function iso(ms: number | string | null): string | null {
  if (ms === null) return null;
  const d = new Date(Number(ms));
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}

/**
 * `last_used_at` is written at most once per this interval per token: a write per request would
 * turn every read of the API into a write (on SQLite, a turn of the single writer lock).
 */
export const TOKEN_USE_RESOLUTION_MS = 60_000;

export interface CreateTokenOptions {
  /** Epoch ms after which the token no longer works; none: until revoked. */
  expiresAt?: number | null;
  /** Who creates it (audit). Default: the desk itself (first start). */
  actor?: AuditActor;
  /** The user who creates it through the API: disabling them stops the token. */
  userId?: string | null;
}

/**
 * The longest a token may be made to last. A longer one is as good as "until revoked" (say so with
 * no expiry), and past year 275760 a time cannot even be written as a date.
 */
export const MAX_TOKEN_LIFETIME_DAYS = 3650;
const MAX_TOKEN_LIFETIME_MS = MAX_TOKEN_LIFETIME_DAYS * 86_400_000;

export async function createApiToken(
  db: Kysely<DB>,
  workspaceId: string,
  name: string,
  role: TokenRole,
  now = Date.now(),
  opts: CreateTokenOptions = {},
): Promise<{ id: string; token: string }> {
  const expiresAt = opts.expiresAt ?? null;
  if (expiresAt !== null && !(expiresAt > now))
    throw new AppError('bad_request', 'expiresAt must be in the future');
  if (expiresAt !== null && !(expiresAt <= now + MAX_TOKEN_LIFETIME_MS))
    throw new AppError(
      'bad_request',
      `expiresAt may be at most ${MAX_TOKEN_LIFETIME_DAYS} days (10 years) ahead; leave it out for a token that lasts until revoked`,
    );
  const token = `tl_${randomBytes(32).toString('base64url')}`;
  const id = newId();
  // The row and its audit entry together: a token nobody can see being made must not exist.
  const write = async (trx: Kysely<DB>) => {
    await trx
      .insertInto('api_tokens')
      .values({
        id,
        workspace_id: workspaceId,
        name,
        token_hash: hashToken(token),
        role,
        created_at: now,
        last_used_at: null,
        revoked_at: null,
        expires_at: expiresAt,
        user_id: opts.userId ?? null,
      })
      .execute();
    await audit(trx, {
      workspaceId,
      actor: opts.actor ?? { type: 'system', id: null },
      action: 'api_token.created',
      target: id,
      data: { name, role, expiresAt: iso(expiresAt) },
      at: now,
    });
  };
  if (db.isTransaction) await write(db);
  else await db.transaction().execute(write);
  return { id, token };
}

const RANK: Record<Role, number> = { agent: 1, supervisor: 2, admin: 3 };

/**
 * What a token may do now: never more than the person who made it may (a demoted admin's admin
 * token acts as their new role, so it cannot promote them back). A token without an owner (made
 * on the server, by the CLI or at first start) keeps its role. An `integration` token submits
 * inbound messages, which of the people's roles only admins may do: once its owner is no longer an
 * admin it does nothing (null), since no role is both. A missing owner row also gives null.
 */
export function effectiveTokenRole(
  role: TokenRole,
  owner: { id: string | null; role: Role | null },
): TokenRole | null {
  if (owner.id === null) return role;
  if (owner.role === null) return null;
  if (role === 'integration') return owner.role === 'admin' ? 'integration' : null;
  return RANK[role] <= RANK[owner.role] ? role : owner.role;
}

/**
 * The token behind a secret, if it still works: not revoked, not expired, and not made by a user
 * who has since been disabled; its role no more than its owner's now (`effectiveTokenRole`).
 * Records its use, at most once a minute (see above).
 */
export async function findApiToken(db: Kysely<DB>, token: string, now = Date.now()) {
  const row = await db
    .selectFrom('api_tokens')
    .leftJoin('users', 'users.id', 'api_tokens.user_id')
    .select([
      'api_tokens.id',
      'api_tokens.workspace_id',
      'api_tokens.name',
      'api_tokens.role',
      'api_tokens.last_used_at',
      'api_tokens.expires_at',
      'api_tokens.user_id',
      'users.role as user_role',
      'users.disabled_at as user_disabled_at',
    ])
    .where('api_tokens.token_hash', '=', hashToken(token))
    .where('api_tokens.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  if (row.expires_at !== null && Number(row.expires_at) <= now) return undefined;
  if (row.user_disabled_at !== null && row.user_disabled_at !== undefined) return undefined;
  const role = effectiveTokenRole(row.role, { id: row.user_id, role: row.user_role ?? null });
  if (role === null) return undefined;
  const last = row.last_used_at === null ? null : Number(row.last_used_at);
  if (last === null || now - last >= TOKEN_USE_RESOLUTION_MS) {
    // Conditional, so concurrent requests (or nodes) at the boundary write it once.
    await db
      .updateTable('api_tokens')
      .set({ last_used_at: now })
      .where('id', '=', row.id)
      .where((eb) =>
        eb.or([
          eb('last_used_at', 'is', null),
          eb('last_used_at', '<=', now - TOKEN_USE_RESOLUTION_MS),
        ]),
      )
      .execute();
  }
  return { id: row.id, workspace_id: row.workspace_id, name: row.name, role };
}

/**
 * Every token of the workspace, newest first, without secrets or hashes. `active` says whether it
 * would be let in now, as `findApiToken` decides: not revoked, not expired, its owner not
 * disabled (`ownerDisabled`: suspended, not revoked; enabling the owner again resumes it) and a
 * role left to it (`effectiveRole`).
 */
export async function listApiTokens(db: Kysely<DB>, workspaceId: string, now = Date.now()) {
  const rows = await db
    .selectFrom('api_tokens')
    .leftJoin('users', 'users.id', 'api_tokens.user_id')
    .select([
      'api_tokens.id',
      'api_tokens.name',
      'api_tokens.role',
      'api_tokens.created_at',
      'api_tokens.last_used_at',
      'api_tokens.expires_at',
      'api_tokens.revoked_at',
      'api_tokens.user_id',
      'users.role as user_role',
      'users.disabled_at as user_disabled_at',
    ])
    .where('api_tokens.workspace_id', '=', workspaceId)
    .orderBy('api_tokens.id', 'desc')
    .execute();
  return rows.map((r) => {
    const ownerDisabled = r.user_disabled_at !== null && r.user_disabled_at !== undefined;
    // What it may do now: its owner's role when that is lower, null when nothing.
    const effectiveRole = ownerDisabled
      ? null
      : effectiveTokenRole(r.role, { id: r.user_id, role: r.user_role ?? null });
    const expired = r.expires_at !== null && Number(r.expires_at) <= now;
    return {
      id: r.id,
      name: r.name,
      role: r.role,
      effectiveRole,
      createdAt: iso(r.created_at),
      lastUsedAt: iso(r.last_used_at),
      expiresAt: iso(r.expires_at),
      revokedAt: iso(r.revoked_at),
      createdBy: r.user_id,
      ownerDisabled,
      active: r.revoked_at === null && !expired && effectiveRole !== null,
    };
  });
}

/** Revokes a token for good (kept, so audit entries and corrections still name it). */
export async function revokeApiToken(
  db: Kysely<DB>,
  workspaceId: string,
  id: string,
  actor: AuditActor,
  now = Date.now(),
): Promise<{ alreadyRevoked: boolean }> {
  const row = await db
    .selectFrom('api_tokens')
    .select(['id', 'name', 'revoked_at'])
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('API token');
  if (row.revoked_at !== null) return { alreadyRevoked: true };
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('api_tokens').set({ revoked_at: now }).where('id', '=', id).execute();
    await audit(trx, {
      workspaceId,
      actor,
      action: 'api_token.revoked',
      target: id,
      data: { name: row.name },
      at: now,
    });
  });
  return { alreadyRevoked: false };
}

/** `30d`, `12h`, `90m`: a CLI duration, in milliseconds. */
export function parseDuration(text: string): number {
  const m = /^(\d+)\s*([dhm])$/.exec(text.trim());
  if (!m || Number(m[1]) <= 0) throw new Error('--expires-in must be like 30d, 12h or 90m');
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000 }[m[2] as 'd' | 'h' | 'm'];
  const ms = Number(m[1]) * unit;
  if (!(ms <= MAX_TOKEN_LIFETIME_MS))
    throw new Error(
      `--expires-in may be at most ${MAX_TOKEN_LIFETIME_DAYS}d (10 years); leave it out for a token that lasts until revoked`,
    );
  return ms;
}
