import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AuditActor } from '../audit/audit.js';
import type { DB, Role } from '../db/schema.js';
import { AppError } from '../errors.js';
import { newId } from '../ids.js';
import type { LoginThrottle } from './login-throttle.js';
import { hashPassword, verifyPassword } from './passwords.js';

export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;

export async function createUser(
  db: Kysely<DB>,
  input: {
    workspaceId: string;
    email: string;
    name: string;
    role: Role;
    password: string;
    /**
     * A hash from `hashPassword` to store instead of hashing `password` (then unused): accounts
     * made in bulk with one secret nobody is told (the demo's agents) cost one scrypt, not one each.
     */
    passwordHash?: string;
    mustChangePassword?: boolean;
    /** Who creates the account, for the audit log (default: the desk itself, first start). */
    actor?: AuditActor;
  },
  now = Date.now(),
): Promise<{ id: string }> {
  const email = input.email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new AppError('bad_request', 'email is not valid');
  if (input.passwordHash === undefined && input.password.length < 10) {
    throw new AppError('bad_request', 'password must have at least 10 characters');
  }
  const existing = await db
    .selectFrom('users')
    .select('id')
    .where('workspace_id', '=', input.workspaceId)
    .where('email', '=', email)
    .executeTakeFirst();
  if (existing) throw new AppError('conflict', `a user with email ${email} already exists`);
  const id = newId();
  await db
    .insertInto('users')
    .values({
      id,
      workspace_id: input.workspaceId,
      email,
      name: input.name,
      role: input.role,
      password_hash: input.passwordHash ?? (await hashPassword(input.password)),
      must_change_password: input.mustChangePassword ? 1 : 0,
      created_at: now,
      disabled_at: null,
    })
    .execute();
  await db
    .insertInto('audit_log')
    .values({
      id: newId(),
      workspace_id: input.workspaceId,
      actor_type: input.actor?.type ?? 'system',
      actor_id: input.actor?.id ?? null,
      action: 'user.created',
      target: id,
      data_json: JSON.stringify({ email, role: input.role }),
      created_at: now,
    })
    .execute();
  return { id };
}

const hashSession = (sid: string) => createHash('sha256').update(sid).digest('hex');

/** Where a login comes from and what guards it (the HTTP route passes all of it). */
export interface LoginContext {
  /** The caller's address: throttling key and turn at the hashing gate. */
  address?: string;
  throttle?: LoginThrottle;
  /** Audit entries of attempts on unknown accounts go to this workspace. */
  workspaceId?: string;
  now?: number;
}

/**
 * Checks credentials and opens a session; the returned secret goes in an HttpOnly cookie.
 * Throttled per account and address (429 before any hashing), and every answer that reached
 * the password check is audited: `auth.login` or `auth.login_failed` with the address.
 */
export async function login(
  db: Kysely<DB>,
  email: string,
  password: string,
  ctx: LoginContext = {},
) {
  const now = ctx.now ?? Date.now();
  const address = ctx.address ?? 'local';
  ctx.throttle?.attempt(email, address);
  const user = await db
    .selectFrom('users')
    .selectAll()
    .where('email', '=', email.trim().toLowerCase())
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  // Verify against a dummy hash when the user is unknown so timing does not reveal accounts.
  const ok = user
    ? await verifyPassword(password, user.password_hash, address)
    : await verifyPassword(password, DUMMY_HASH, address).then(() => false);
  const audit = (action: string, data: Record<string, unknown>) => {
    const workspaceId = user?.workspace_id ?? ctx.workspaceId;
    if (!workspaceId) return Promise.resolve();
    return db
      .insertInto('audit_log')
      .values({
        id: newId(),
        workspace_id: workspaceId,
        actor_type: user && ok ? 'user' : 'anonymous',
        actor_id: user && ok ? user.id : null,
        action,
        target: user?.id ?? null,
        data_json: JSON.stringify({ address, ...data }),
        created_at: now,
      })
      .execute()
      .then(() => undefined);
  };
  if (!user || !ok) {
    ctx.throttle?.failed(email, address);
    // The email as typed (bounded by the route's schema) says which account was tried.
    await audit('auth.login_failed', {
      email: email.trim().toLowerCase(),
      reason: user ? 'wrong_password' : 'unknown_account',
    });
    throw new AppError('unauthenticated', 'email or password is wrong');
  }
  const secret = randomBytes(32).toString('base64url');
  const opened = await db.transaction().execute(async (trx) => {
    // The password may have changed during the (slow) hash check. A session opened with the old
    // one after changePassword ended the others would outlive it, and with the one-time
    // password it would even become a full session. The no-op update takes the user's row (on
    // PostgreSQL it waits for a change in flight and then sees the new hash), so either the change
    // comes first and this refuses, or this comes first and the change ends this session.
    const held = await trx
      .updateTable('users')
      .set({ password_hash: user.password_hash })
      .where('id', '=', user.id)
      .where('password_hash', '=', user.password_hash)
      .where('disabled_at', 'is', null)
      .executeTakeFirst();
    if (Number(held.numUpdatedRows) !== 1) return false;
    await trx
      .insertInto('sessions')
      .values({
        id_hash: hashSession(secret),
        user_id: user.id,
        created_at: now,
        expires_at: now + SESSION_TTL_MS,
      })
      .execute();
    return true;
  });
  if (!opened) {
    await audit('auth.login_failed', { email: user.email, reason: 'password_changed_meanwhile' });
    throw new AppError('unauthenticated', 'email or password is wrong');
  }
  ctx.throttle?.succeeded(email, address);
  await audit('auth.login', {});
  return {
    secret,
    user: {
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      mustChangePassword: user.must_change_password === 1,
    },
  };
}

export async function findSession(db: Kysely<DB>, secret: string, now = Date.now()) {
  return db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'users.id',
      'users.workspace_id',
      'users.name',
      'users.email',
      'users.role',
      'users.must_change_password',
    ])
    .where('sessions.id_hash', '=', hashSession(secret))
    .where('sessions.expires_at', '>', now)
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
}

export async function logout(db: Kysely<DB>, secret: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', hashSession(secret)).execute();
}

const DUMMY_HASH =
  'scrypt$131072$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=';

/**
 * Changes a password after checking the current one, clears the one-time flag and ends every
 * other session of the user (`keepSession`: the secret of the session making the change, if any).
 * Ending them matters twice over: a session someone opened with a leaked or one-time password
 * must not outlive it, and since the one-time flag is the user's, a session opened with the
 * one-time password would otherwise become a full one the moment the flag is cleared.
 */
export async function changePassword(
  db: Kysely<DB>,
  userId: string,
  current: string,
  next: string,
  opts: { keepSession?: string; now?: number; throttle?: LoginThrottle; address?: string } = {},
): Promise<{ endedSessions: number }> {
  const now = opts.now ?? Date.now();
  const address = opts.address ?? 'local';
  const user = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
  if (!user) throw new AppError('unauthenticated', 'current password is wrong');
  // A stolen session must not become a way to guess the password: the current one is checked
  // under the sign-in throttle, counted for the account as a login attempt would be.
  opts.throttle?.attempt(user.email, address);
  if (!(await verifyPassword(current, user.password_hash, address))) {
    opts.throttle?.failed(user.email, address);
    throw new AppError('unauthenticated', 'current password is wrong');
  }
  opts.throttle?.succeeded(user.email, address);
  if (next.length < 10)
    throw new AppError('bad_request', 'password must have at least 10 characters');
  if (next === current)
    throw new AppError('bad_request', 'choose a password different from the current one');
  const hash = await hashPassword(next);
  return db.transaction().execute(async (trx) => {
    // Only over the hash just checked: a change that raced this one wins, this one is refused.
    const updated = await trx
      .updateTable('users')
      .set({ password_hash: hash, must_change_password: 0 })
      .where('id', '=', userId)
      .where('password_hash', '=', user.password_hash)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) !== 1) {
      throw new AppError('conflict', 'the password was changed meanwhile; sign in again');
    }
    let ending = trx.deleteFrom('sessions').where('user_id', '=', userId);
    if (opts.keepSession) ending = ending.where('id_hash', '!=', hashSession(opts.keepSession));
    const ended = await ending.executeTakeFirst();
    const endedSessions = Number(ended.numDeletedRows);
    await trx
      .insertInto('audit_log')
      .values({
        id: newId(),
        workspace_id: user.workspace_id,
        actor_type: 'user',
        actor_id: userId,
        action: 'user.password_changed',
        target: userId,
        data_json: JSON.stringify({ endedSessions }),
        created_at: now,
      })
      .execute();
    return { endedSessions };
  });
}
