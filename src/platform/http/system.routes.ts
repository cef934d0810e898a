import { Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { LoginThrottle } from '../auth/login-throttle.js';
import { changePassword, login, logout } from '../auth/users.js';
import type { Database } from '../db/database.js';
import { isMigrated } from '../db/migrate.js';
import { AppError } from '../errors.js';
import type { LiveBus } from '../realtime/bus.js';
import { watchAccess } from './access-watch.js';
import { SESSION_COOKIE } from './auth.js';
import { LiveStreams, liveStreamRoute } from './live-stream.js';
import { Json, Refusal } from './responses.js';
import type { Http } from './server.js';

export interface SystemRouteDeps {
  database: Database;
  bus: LiveBus;
  /** Cookies get `Secure` when the desk is served over https. */
  secureCookies: boolean;
  /** Failed logins on unknown accounts are audited in this workspace. */
  workspaceId?: string;
  /** Login throttling (one per app, in memory: each node counts what it sees). */
  loginThrottle?: LoginThrottle;
  /** How often an SSE stream re-checks its session or token (default 30 s). */
  liveRecheckMs?: number;
  /**
   * How often, where the bus does not span processes (SQLite), the node looks in the audit log
   * for access changes other processes made, the CLI's (default 2 s).
   */
  accessWatchMs?: number;
}

export function systemRoutes(app: Http, deps: SystemRouteDeps) {
  const { db } = deps.database;
  const loginThrottle = deps.loginThrottle ?? new LoginThrottle();
  const streams = new LiveStreams();

  app.get(
    '/healthz',
    {
      config: { public: true },
      schema: { tags: ['system'], summary: '200 when the database is reachable and migrated' },
    },
    async (_req, reply) => {
      try {
        await sql`select 1`.execute(db);
        if (!(await isMigrated(deps.database))) {
          return reply.status(503).send({ status: 'unavailable', database: 'not migrated' });
        }
        return { status: 'ok', database: deps.database.dialect };
      } catch {
        return reply.status(503).send({ status: 'unavailable', database: 'unreachable' });
      }
    },
  );

  // `serve` prints the bare URL, so someone opening it in a browser lands here: say where things
  // are instead of a 404. It names only public paths and holds no workspace data.
  app.get(
    '/',
    {
      config: { public: true },
      schema: { tags: ['system'], summary: 'Where the API, its OpenAPI document and health are' },
    },
    async () => ({
      name: 'Throughline',
      api: '/api/v1',
      openapi: '/api/openapi.json',
      health: '/healthz',
      webApp: null,
      note: 'This release has no web app: use the REST API (Authorization: Bearer <token>) or the CLI.',
    }),
  );

  app.get('/api/openapi.json', { config: { public: true }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  app.post(
    '/api/v1/auth/login',
    {
      config: { public: true },
      schema: {
        response: {
          200: Json(),
          401: Refusal('unauthenticated: wrong email or password'),
          429: Refusal('rate_limited: too many attempts; retry after `Retry-After` seconds'),
        },
        tags: ['auth'],
        summary:
          'Sign in with email and password; sets the session cookie. Repeated attempts are throttled (429 with Retry-After)',
        body: Type.Object(
          {
            email: Type.String({ maxLength: 320 }),
            password: Type.String({ maxLength: 1000 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const { secret, user } = await login(db, req.body.email, req.body.password, {
        address: req.ip,
        throttle: loginThrottle,
        workspaceId: deps.workspaceId,
      });
      reply.setCookie(SESSION_COOKIE, secret, {
        httpOnly: true,
        sameSite: 'strict',
        secure: deps.secureCookies,
        path: '/',
      });
      return { user, mustChangePassword: user.mustChangePassword };
    },
  );

  app.post(
    '/api/v1/auth/password',
    {
      config: { allowWithOneTimePassword: true },
      schema: {
        response: {
          200: Json(),
          409: Refusal('conflict: the password was changed meanwhile; sign in again'),
        },
        tags: ['auth'],
        summary: 'Change your password (required after a one-time password)',
        body: Type.Object(
          {
            currentPassword: Type.String({ maxLength: 1000 }),
            newPassword: Type.String({ minLength: 10, maxLength: 1000 }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      if (req.actor.type !== 'user') throw new AppError('forbidden', 'only people have passwords');
      // Every other session of this user ends; the one making the change stays signed in.
      const { endedSessions } = await changePassword(
        db,
        req.actor.id,
        req.body.currentPassword,
        req.body.newPassword,
        { keepSession: req.cookies[SESSION_COOKIE], throttle: loginThrottle, address: req.ip },
      );
      streams.endUser(req.actor.id, req.cookies[SESSION_COOKIE]);
      return { ok: true, endedSessions };
    },
  );

  app.post(
    '/api/v1/auth/logout',
    { config: { allowWithOneTimePassword: true }, schema: { tags: ['auth'] } },
    async (req, reply) => {
      const sid = req.cookies[SESSION_COOKIE];
      if (sid) {
        await logout(db, sid);
        streams.endSession(sid);
      }
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      return { ok: true };
    },
  );

  app.get(
    '/api/v1/me',
    {
      config: { allowWithOneTimePassword: true },
      schema: { tags: ['auth'], summary: 'Who is calling' },
    },
    async (req) => ({
      type: req.actor.type,
      id: req.actor.id,
      name: req.actor.name,
      role: req.actor.role,
    }),
  );

  app.get(
    '/api/v1/workspace',
    { schema: { tags: ['system'], summary: 'The workspace; `demo` is true for simulated data' } },
    async (req) => {
      const ws = await db
        .selectFrom('workspaces')
        .selectAll()
        .where('id', '=', req.actor.workspaceId)
        .executeTakeFirstOrThrow();
      const queues = await db
        .selectFrom('queues')
        .select(['id', 'name', 'is_default'])
        .where('workspace_id', '=', ws.id)
        .execute();
      return {
        id: ws.id,
        name: ws.name,
        demo: ws.is_demo === 1,
        queues: queues.map((q) => ({ id: q.id, name: q.name, default: q.is_default === 1 })),
      };
    },
  );

  liveStreamRoute(app, { db, bus: deps.bus, streams, recheckMs: deps.liveRecheckMs });

  // Where the bus reaches other processes (cluster.ts) their changes arrive as events: a CLI
  // command publishes one. Elsewhere this node looks for them while it serves.
  const { caps, connectionString } = deps.database;
  if (!(caps.listenNotify && connectionString)) {
    let watch: ReturnType<typeof watchAccess> | null = null;
    app.addHook('onReady', async () => {
      watch = watchAccess({
        db,
        bus: deps.bus,
        everyMs: deps.accessWatchMs ?? 2_000,
        onError: (err) => app.log.warn({ err }, 'could not look for access changes'),
      });
    });
    app.addHook('onClose', async () => watch?.stop());
  }
}
