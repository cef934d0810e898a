import type { Kysely } from 'kysely';
import { type AuditActor, audit } from '../audit/audit.js';
import type { DB, Role, TokenRole } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { generatePassword, hashPassword } from './passwords.js';

export const ROLES: readonly Role[] = ['admin', 'supervisor', 'agent'];
/** An API token takes a person's role, or `integration` (inbound messages only; no person has it). */
export const TOKEN_ROLES: readonly TokenRole[] = [...ROLES, 'integration'];

const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

/** The workspace's accounts, with role and whether they are disabled; never password hashes. */
export async function listUsers(db: Kysely<DB>, workspaceId: string) {
  const rows = await db
    .selectFrom('users')
    .select(['id', 'email', 'name', 'role', 'created_at', 'disabled_at', 'must_change_password'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('id')
    .execute();
  return rows.map((u) => ({
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    createdAt: iso(u.created_at),
    disabledAt: iso(u.disabled_at),
    mustChangePassword: u.must_change_password === 1,
  }));
}

/** A user by id or e-mail (the CLI names people by e-mail). */
export async function findUser(db: Kysely<DB>, workspaceId: string, idOrEmail: string) {
  const key = idOrEmail.trim();
  const user = await db
    .selectFrom('users')
    .select(['id', 'email', 'role', 'disabled_at'])
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or([eb('id', '=', key), eb('email', '=', key.toLowerCase())]))
    .executeTakeFirst();
  if (!user) throw notFound('user');
  return user;
}

/**
 * Refuses to leave the workspace without an enabled admin: nobody could then manage users,
 * tokens or channels except through the CLI on the server.
 */
async function assertAnotherAdmin(db: Kysely<DB>, workspaceId: string, userId: string) {
  const others = await db
    .selectFrom('users')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('role', '=', 'admin')
    .where('disabled_at', 'is', null)
    .where('id', '!=', userId)
    .executeTakeFirst();
  if (!others) throw new AppError('conflict', 'this is the last enabled admin; make another first');
}

/**
 * Changes a role and/or disables or enables an account. Sessions read the user's role and
 * `disabled_at` on every request, so both take effect at once; disabling also deletes the
 * sessions (nothing to resume if re-enabled) and suspends the API tokens the user created: they
 * are refused and listed inactive (`ownerDisabled`), not revoked, so enabling the user again
 * resumes them (an integration's token survives a mistaken disable); revoke them to end them. The
 * audit entry of enabling counts the tokens it resumes.
 */
export async function updateUser(
  db: Kysely<DB>,
  workspaceId: string,
  idOrEmail: string,
  change: { role?: Role; disabled?: boolean },
  actor: AuditActor,
  now = Date.now(),
) {
  const user = await findUser(db, workspaceId, idOrEmail);
  const isEnabledAdmin = user.role === 'admin' && user.disabled_at === null;
  if (isEnabledAdmin && (change.disabled === true || (change.role && change.role !== 'admin')))
    await assertAnotherAdmin(db, workspaceId, user.id);
  await db.transaction().execute(async (trx) => {
    if (change.role && change.role !== user.role) {
      await trx.updateTable('users').set({ role: change.role }).where('id', '=', user.id).execute();
      await audit(trx, {
        workspaceId,
        actor,
        action: 'user.role_changed',
        target: user.id,
        data: { from: user.role, to: change.role },
        at: now,
      });
    }
    if (change.disabled === true && user.disabled_at === null) {
      await trx.updateTable('users').set({ disabled_at: now }).where('id', '=', user.id).execute();
      await trx.deleteFrom('sessions').where('user_id', '=', user.id).execute();
      await audit(trx, { workspaceId, actor, action: 'user.disabled', target: user.id, at: now });
    }
    if (change.disabled === false && user.disabled_at !== null) {
      await trx.updateTable('users').set({ disabled_at: null }).where('id', '=', user.id).execute();
      const resumed = await trx
        .selectFrom('api_tokens')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('user_id', '=', user.id)
        .where('revoked_at', 'is', null)
        .where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)]))
        .executeTakeFirst();
      await audit(trx, {
        workspaceId,
        actor,
        action: 'user.enabled',
        target: user.id,
        data: { tokensResumed: Number(resumed?.n ?? 0) },
        at: now,
      });
    }
  });
  const [out] = (await listUsers(db, workspaceId)).filter((u) => u.id === user.id);
  return out;
}

/**
 * An administrator's reset of someone else's password: a fresh one-time password replaces it,
 * which opens only `POST /api/v1/auth/password` until the user chooses their own (the same door
 * a new account's one-time password opens). Every session of the user ends: whoever held the old
 * password is out. Their API tokens are left alone (revoke those separately). The new hash, the
 * flag, the ended sessions and the audit entry (`user.password_reset`, which counts the sessions
 * and never holds the password) are written together; the password is only in the answer.
 */
export async function resetPassword(
  db: Kysely<DB>,
  workspaceId: string,
  idOrEmail: string,
  actor: AuditActor,
  opts: { now?: number; queueKey?: string } = {},
): Promise<{ id: string; email: string; oneTimePassword: string; endedSessions: number }> {
  const now = opts.now ?? Date.now();
  const user = await findUser(db, workspaceId, idOrEmail);
  // Resetting one's own password would sign oneself out into the one-time flow; changing it
  // needs the current one instead (a stolen session must not be enough).
  // (Through one's own API token too: a stolen token must not be enough either.)
  const self =
    (actor.type === 'user' && actor.id === user.id) ||
    (actor.type === 'token' &&
      !!(await db
        .selectFrom('api_tokens')
        .select('id')
        .where('id', '=', actor.id ?? '')
        .where('user_id', '=', user.id)
        .executeTakeFirst()));
  if (self)
    throw new AppError('conflict', 'change your own password with POST /api/v1/auth/password');
  const oneTimePassword = generatePassword();
  const hash = await hashPassword(oneTimePassword, opts.queueKey);
  const endedSessions = await db.transaction().execute(async (trx) => {
    // Taking the row ends a sign-in that checked the old password meanwhile (login holds the
    // hash it checked, users.ts): it is refused rather than opened with the old password.
    await trx
      .updateTable('users')
      .set({ password_hash: hash, must_change_password: 1 })
      .where('id', '=', user.id)
      .execute();
    const ended = await trx
      .deleteFrom('sessions')
      .where('user_id', '=', user.id)
      .executeTakeFirst();
    const n = Number(ended.numDeletedRows);
    await audit(trx, {
      workspaceId,
      actor,
      action: 'user.password_reset',
      target: user.id,
      data: { endedSessions: n },
      at: now,
    });
    return n;
  });
  return { id: user.id, email: user.email, oneTimePassword, endedSessions };
}
