import type { Kysely } from 'kysely';
import { createApiToken } from '../platform/auth/tokens.js';
import type { DB } from '../platform/db/schema.js';

/** How long the token printed at first start works. */
export const FIRST_START_TOKEN_MS = 24 * 3_600_000;

/**
 * The API token printed at first start beside the one-time password. It used to last until
 * revoked, so whoever read the start-up output (a log collector, a shared terminal) held an admin
 * credential for good, one that also got around the rule that the one-time password be changed
 * before the desk is used. It now expires after 24 hours (`api_tokens.expires_at`, as
 * `token create --expires-in` sets it) and belongs to the administrator it was made for, so
 * disabling them stops it too; a lasting token is made on purpose (`throughline token create`, or
 * `POST /api/v1/tokens` once signed in with a new password).
 */
export async function firstStartToken(db: Kysely<DB>, ws: string, userId: string, now: number) {
  const expiresAt = now + FIRST_START_TOKEN_MS;
  const { id, token } = await createApiToken(db, ws, 'first-start', 'admin', now, {
    expiresAt,
    userId,
  });
  return { id, token, expiresAt };
}
