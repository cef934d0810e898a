import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB, Role } from '../db/schema.js';
import { newId } from '../ids.js';

/**
 * API tokens are 256-bit random secrets shown once. Only their SHA-256 is stored: the secret's
 * entropy makes a slow hash unnecessary, and lookups stay one indexed equality.
 */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createApiToken(
  db: Kysely<DB>,
  workspaceId: string,
  name: string,
  role: Role,
  now = Date.now(),
): Promise<{ id: string; token: string }> {
  const token = `tl_${randomBytes(32).toString('base64url')}`;
  const id = newId();
  await db
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
    })
    .execute();
  await db
    .insertInto('audit_log')
    .values({
      id: newId(),
      workspace_id: workspaceId,
      actor_type: 'system',
      actor_id: null,
      action: 'api_token.created',
      target: id,
      data_json: JSON.stringify({ name, role }),
      created_at: now,
    })
    .execute();
  return { id, token };
}

export async function findApiToken(db: Kysely<DB>, token: string) {
  return db
    .selectFrom('api_tokens')
    .select(['id', 'workspace_id', 'name', 'role'])
    .where('token_hash', '=', hashToken(token))
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
}
