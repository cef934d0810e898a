import { Type } from '@sinclair/typebox';
import type { Kysely } from 'kysely';
import { requestActor } from '../platform/audit/audit.js';
import { generatePassword } from '../platform/auth/passwords.js';
import { createApiToken, listApiTokens, revokeApiToken } from '../platform/auth/tokens.js';
import { listUsers, resetPassword, updateUser } from '../platform/auth/user-admin.js';
import { createUser } from '../platform/auth/users.js';
import type { DB } from '../platform/db/schema.js';
import { badRequest } from '../platform/errors.js';
import type { Actor } from '../platform/http/auth.js';
import { ACCESS_CHANGED } from '../platform/http/live-stream.js';
import { Created, Json, Refusal } from '../platform/http/responses.js';
import type { Http } from '../platform/http/server.js';
import type { LiveBus } from '../platform/realtime/bus.js';

const admin = { roles: ['admin' as const] };
const Role = Type.Union([Type.Literal('admin'), Type.Literal('supervisor'), Type.Literal('agent')]);
/** A token may also be an integration's: it submits inbound messages and does nothing else. */
const TokenRole = Type.Union([...Role.anyOf, Type.Literal('integration')]);
const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/**
 * The user a new token answers to: the person creating it, or, for a token made with a token,
 * that token's own user. Disabling that person then also stops every token made on their behalf.
 */
async function ownerOf(db: Kysely<DB>, actor: Actor): Promise<string | null> {
  if (actor.type === 'user') return actor.id;
  const row = await db
    .selectFrom('api_tokens')
    .select('user_id')
    .where('id', '=', actor.id)
    .executeTakeFirst();
  return row?.user_id ?? null;
}

/** Users and API tokens: who may use the desk, with which role, and ending that. Admins only. */
export function accessRoutes(
  app: Http,
  deps: { db: Kysely<DB>; clock: () => number; bus: LiveBus },
) {
  const { db, clock } = deps;
  // Open live streams check their credentials at once, on every node (live-stream.ts): the README
  // promises that disabling takes effect at once, and a stream is one long request.
  const accessChanged = (workspaceId: string, data: Record<string, unknown>) =>
    deps.bus.publish({ type: ACCESS_CHANGED, workspaceId, data });

  app.get(
    '/api/v1/tokens',
    { config: admin, schema: { tags: ['admin'], summary: 'API tokens (never their secrets)' } },
    async (req) => ({
      items: await listApiTokens(db, req.actor.workspaceId, clock()),
      nextCursor: null,
    }),
  );

  app.post(
    '/api/v1/tokens',
    {
      config: admin,
      schema: {
        response: { 201: Created() },
        tags: ['admin'],
        summary: 'Create an API token; its secret is in this answer only',
        body: Type.Object(
          {
            name: Type.String({ minLength: 1, maxLength: 200 }),
            role: TokenRole,
            expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const now = clock();
      const expiresAt = req.body.expiresAt ? Date.parse(req.body.expiresAt) : null;
      if (expiresAt !== null && !(expiresAt > now))
        throw badRequest('expiresAt must be a future date-time');
      const { id, token } = await createApiToken(
        db,
        req.actor.workspaceId,
        req.body.name,
        req.body.role,
        now,
        { expiresAt, actor: requestActor(req.actor), userId: await ownerOf(db, req.actor) },
      );
      const [item] = (await listApiTokens(db, req.actor.workspaceId, now)).filter(
        (t) => t.id === id,
      );
      return reply.status(201).send({ ...item, token });
    },
  );

  app.delete(
    '/api/v1/tokens/:id',
    {
      config: admin,
      schema: { tags: ['admin'], summary: 'Revoke an API token (at once, for good)', params: Id },
    },
    async (req) => {
      await revokeApiToken(
        db,
        req.actor.workspaceId,
        req.params.id,
        requestActor(req.actor),
        clock(),
      );
      accessChanged(req.actor.workspaceId, { tokenId: req.params.id });
      return { id: req.params.id, revoked: true };
    },
  );

  app.get(
    '/api/v1/users',
    { config: admin, schema: { tags: ['admin'], summary: 'User accounts, roles, disabled' } },
    async (req) => ({ items: await listUsers(db, req.actor.workspaceId), nextCursor: null }),
  );

  app.post(
    '/api/v1/users',
    {
      config: admin,
      schema: {
        response: {
          201: Created(),
          409: Refusal('conflict: a user with this email already exists'),
        },
        tags: ['admin'],
        summary: 'Create a user; without a password the answer holds a one-time password',
        body: Type.Object(
          {
            email: Type.String({ minLength: 3, maxLength: 320 }),
            name: Type.String({ minLength: 1, maxLength: 200 }),
            role: Role,
            password: Type.Optional(Type.String({ minLength: 10, maxLength: 1000 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const password = req.body.password ?? generatePassword();
      const { id } = await createUser(
        db,
        {
          workspaceId: req.actor.workspaceId,
          email: req.body.email,
          name: req.body.name,
          role: req.body.role,
          password,
          mustChangePassword: !req.body.password,
          actor: requestActor(req.actor),
        },
        clock(),
      );
      return reply
        .status(201)
        .send({ id, ...(req.body.password ? {} : { oneTimePassword: password }) });
    },
  );

  app.patch(
    '/api/v1/users/:id',
    {
      config: admin,
      schema: {
        response: { 200: Json(), 409: Refusal('conflict: this is the last enabled admin') },
        tags: ['admin'],
        summary: "Change a user's role, or disable (at once: sessions and their tokens) or enable",
        params: Id,
        body: Type.Object(
          { role: Type.Optional(Role), disabled: Type.Optional(Type.Boolean()) },
          { additionalProperties: false, minProperties: 1 },
        ),
      },
    },
    async (req) => {
      const user = await updateUser(
        db,
        req.actor.workspaceId,
        req.params.id,
        req.body,
        requestActor(req.actor),
        clock(),
      );
      accessChanged(req.actor.workspaceId, { userId: user.id });
      return user;
    },
  );

  app.post(
    '/api/v1/users/:id/password-reset',
    {
      config: admin,
      schema: {
        response: {
          200: Json(),
          409: Refusal('conflict: your own password is changed with POST /api/v1/auth/password'),
        },
        tags: ['admin'],
        summary:
          "Reset someone's password: the answer holds a one-time password (shown once) that must be changed at the first sign-in; their sessions end",
        params: Id,
      },
    },
    async (req) => {
      const done = await resetPassword(
        db,
        req.actor.workspaceId,
        req.params.id,
        requestActor(req.actor),
        { now: clock(), queueKey: req.ip },
      );
      // Their open live streams end now, on every node, as when they are disabled.
      accessChanged(req.actor.workspaceId, { userId: done.id });
      return done;
    },
  );
}
