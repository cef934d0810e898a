import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { type App, buildApp } from '../src/app.js';
import { type Config, loadConfig } from '../src/config.js';
import { appendInbound } from '../src/ingest/inbound.log.js';
import type { InboundMessage } from '../src/ingest/inbound.schema.js';
import { createApiToken } from '../src/platform/auth/tokens.js';
import { createUser } from '../src/platform/auth/users.js';
import type { DB, Role } from '../src/platform/db/schema.js';
import { type Engine, freshDatabaseUrl } from './support/engines.js';

let counter = 0;

/** A customer message with sensible defaults; override what the test is about. */
export function aMessage(over: Partial<InboundMessage> = {}): InboundMessage {
  counter++;
  return {
    channel: 'api',
    externalId: `m-${process.pid}-${counter}`,
    author: { id: `cust-${counter}`, name: `Customer ${counter}` },
    text: 'My internet has been down since this morning',
    sentAt: new Date(Date.UTC(2026, 10, 2, 9, 0, counter % 60)).toISOString(),
    visibility: 'public',
    ...over,
  };
}

export interface TestApp {
  app: App;
  token: string;
  auth: { authorization: string };
  close(): Promise<void>;
}

/**
 * A full app on a fresh database of the given engine, workers off (tests drive the pipeline with
 * `app.pipeline.drain()` so nothing depends on timing), with an admin API token. Silent unless
 * given a logger (e.g. `captureLogs().logger` to check what a failure logs).
 */
export async function testApp(
  engine: Engine,
  over: Partial<Config> = {},
  deps: {
    logger?: Logger;
    afterStage?: (name: string) => void | Promise<void>;
    /** Runs on the built app before it starts (e.g. to hook the routes it registers). */
    beforeStart?: (app: App) => void;
    /** How often the triage model checks for corrections changed elsewhere (app.ts). */
    triageWatchMs?: number;
  } = {},
): Promise<TestApp> {
  const { url, cleanup } = await freshDatabaseUrl(engine);
  const base = loadConfig({ THROUGHLINE_DATABASE_URL: url, LOG_LEVEL: 'silent' });
  const config: Config = {
    ...base,
    sqliteSynchronous: 'NORMAL',
    ...over,
    pipeline: { ...base.pipeline, workers: false, ...(over.pipeline ?? {}) },
  };
  const app = await buildApp({
    config,
    logger: deps.logger,
    afterStage: deps.afterStage,
    triageWatchMs: deps.triageWatchMs,
  });
  deps.beforeStart?.(app);
  await app.start({ listen: false });
  const { token } = await createApiToken(
    app.database.db,
    app.workspace.workspaceId,
    'test',
    'admin',
  );
  return {
    app,
    token,
    auth: { authorization: `Bearer ${token}` },
    async close() {
      await app.close();
      cleanup();
    },
  };
}

/** The outbox row that sends our message `messageId` (its idempotency key names the message). */
export function sendRowOf(db: Kysely<DB>, messageId: string) {
  return db
    .selectFrom('outbox')
    .selectAll()
    .where('idempotency_key', '=', `send_message:${messageId}`)
    .executeTakeFirstOrThrow();
}

/** The case of the stored message whose external id is `externalId`. */
export async function caseIdOf(db: Kysely<DB>, externalId: string): Promise<string> {
  const m = await db
    .selectFrom('messages')
    .select('case_id')
    .where('external_id', '=', externalId)
    .executeTakeFirstOrThrow();
  return m.case_id!;
}

/** Messages through the app's real pipeline: appended to the inbound log now, then drained. */
export async function ingestNow(t: TestApp, ...msgs: InboundMessage[]) {
  await appendInbound(t.app.database.db, t.app.workspace.workspaceId, msgs, Date.now());
  await t.app.pipeline.drain();
}

/** A message through the app's real pipeline; returns the id of the case it opened or joined. */
export async function caseFromMessage(t: TestApp, m: InboundMessage): Promise<string> {
  await ingestNow(t, m);
  return caseIdOf(t.app.database.db, m.externalId);
}

/** The customer who owns the identity `address` on `channel`. */
export async function customerIdOf(db: Kysely<DB>, channel: string, address: string) {
  return (
    await db
      .selectFrom('identities')
      .select('customer_id')
      .where('channel', '=', channel)
      .where('address', '=', address)
      .executeTakeFirstOrThrow()
  ).customer_id;
}

export function messageRow(db: Kysely<DB>, id: string) {
  return db.selectFrom('messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** Makes an outbox row due now, as if its back-off or Retry-After had passed. */
export function retryNow(db: Kysely<DB>, outboxId: string) {
  return db.updateTable('outbox').set({ next_attempt_at: 0 }).where('id', '=', outboxId).execute();
}

/** A request to the API as the admin; the answer, for the test to judge. */
export function asAdmin(
  t: Pick<TestApp, 'app' | 'auth'>,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  url: string,
  payload?: unknown,
) {
  return t.app.http.inject({
    method,
    url,
    headers: t.auth,
    ...(payload === undefined ? {} : { payload: payload as never }),
  });
}

/** Signs `email` in through the API: the login answer, whose `set-cookie` is the session. */
export function logIn(t: TestApp, email: string, password: string) {
  return t.app.http.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
  });
}

/** The session a login answer set, as a request's `cookie` header. */
export const sessionCookie = (login: { headers: Record<string, unknown> }) =>
  String(login.headers['set-cookie']).split(';')[0];

/**
 * A person made in the app (an agent unless `role` says) and signed in: the login answer. Tests of
 * what a signed-in person, not a token, may do start here.
 */
export async function signInNew(
  t: TestApp,
  p: { email: string; password: string; name?: string; role?: Role },
) {
  await createUser(t.app.database.db, {
    workspaceId: t.app.workspace.workspaceId,
    email: p.email,
    name: p.name ?? 'Agent',
    role: p.role ?? 'agent',
    password: p.password,
  });
  return logIn(t, p.email, p.password);
}
