import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AuditActor } from '../audit/audit.js';
import type { DB, Role } from '../db/schema.js';
import { AppError } from '../errors.js';
import { newId } from '../ids.js';
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
    mustChangePassword?: boolean;
    /** Who creates the account, for the audit log (default: the desk itself, first start). */
    actor?: AuditActor;
  },
  now = Date.now(),
): Promise<{ id: string }> {
  const email = input.email.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new AppError('bad_request', 'email is not valid');
  if (input.password.length < 10) {
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
      password_hash: await hashPassword(input.password),
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

/** Checks credentials and opens a session; the returned secret goes in an HttpOnly cookie. */
export async function login(db: Kysely<DB>, email: string, password: string, now = Date.now()) {
  const user = await db
    .selectFrom('users')
    .selectAll()
    .where('email', '=', email.trim().toLowerCase())
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  // Verify against a dummy hash when the user is unknown so timing does not reveal accounts.
  const ok = user
    ? await verifyPassword(password, user.password_hash)
    : await verifyPassword(password, DUMMY_HASH).then(() => false);
  if (!user || !ok) throw new AppError('unauthenticated', 'email or password is wrong');
  const secret = randomBytes(32).toString('base64url');
  await db
    .insertInto('sessions')
    .values({
      id_hash: hashSession(secret),
      user_id: user.id,
      created_at: now,
      expires_at: now + SESSION_TTL_MS,
    })
    .execute();
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

/** Changes a password after checking the current one; clears the one-time flag, ends other sessions. */
export async function changePassword(
  db: Kysely<DB>,
  userId: string,
  current: string,
  next: string,
  now = Date.now(),
): Promise<void> {
  const user = await db.selectFrom('users').selectAll().where('id', '=', userId).executeTakeFirst();
  if (!user || !(await verifyPassword(current, user.password_hash))) {
    throw new AppError('unauthenticated', 'current password is wrong');
  }
  if (next.length < 10)
    throw new AppError('bad_request', 'password must have at least 10 characters');
  if (next === current)
    throw new AppError('bad_request', 'choose a password different from the current one');
  await db
    .updateTable('users')
    .set({ password_hash: await hashPassword(next), must_change_password: 0 })
    .where('id', '=', userId)
    .execute();
  await db
    .insertInto('audit_log')
    .values({
      id: newId(),
      workspace_id: user.workspace_id,
      actor_type: 'user',
      actor_id: userId,
      action: 'user.password_changed',
      target: userId,
      data_json: '{}',
      created_at: now,
    })
    .execute();
}
