/**
 * Test helpers for the loop-closing notices (routes, retries, holds, supersession, the quiet
 * period): customers whose problem is fixed, their notices' outbox rows, and the real notify
 * handler run on them with the senders a test gives. Not a test file; imported by them.
 */
import type { Kysely } from 'kysely';
import { expect } from 'vitest';
import { aMessage, type TestApp } from '../../test/builders.js';
import { apiPost } from '../../test/support/suite.js';
import type { Sender } from '../channels/sender.js';
import type { InboundMessage } from '../ingest/inbound.schema.js';
import type { DB } from '../platform/db/schema.js';
import { OutboxWorker } from '../platform/outbox/outbox.worker.js';
import type { problemsWorld } from '../problems/test-world.js';
import { notifyHandler } from './notify.handler.js';

/** A notice's outbox row, as the handler reads it. */
export type NoticeRow = { id: string; payload_json: string; idempotency_key: string };

/** The `notify_customer` outbox row of the notice to the case's customer. */
export const noticeRowOf = (db: Kysely<DB>, caseId: string) =>
  db
    .selectFrom('outbox')
    .select(['id', 'payload_json', 'idempotency_key'])
    .where('kind', '=', 'notify_customer')
    .where('payload_json', 'like', `%${caseId}%`)
    .executeTakeFirstOrThrow();

/** Runs the real notify handler once (a first attempt) on a notice's outbox row. */
export const handleNotice = (
  t: TestApp,
  senders: Map<string, Sender>,
  row: NoticeRow,
  clock: () => number = Date.now,
) =>
  notifyHandler({ database: t.app.database, senders, clock })(
    JSON.parse(row.payload_json),
    row.idempotency_key,
    { id: row.id, workspaceId: t.app.workspace.workspaceId, attempt: 1 },
  );

/** The app's outbox worker on a clock of the test's, with these senders and the notify handler. */
export const notifyOutbox = (t: TestApp, senders: Map<string, Sender>, clock: () => number) =>
  new OutboxWorker({
    database: t.app.database,
    senders,
    clock,
    handlers: new Map([
      ['notify_customer', notifyHandler({ database: t.app.database, senders, clock })],
    ]),
  });

/**
 * A customer's message through the inbound API (the pipeline drained), their verified e-mail
 * added if given, and a problem made from its case and fixed; returns the message's case and
 * customer and its notice's outbox row.
 */
export async function fixedThroughApi(t: TestApp, m: InboundMessage, email?: string | null) {
  const msg = await inboundThroughApi(t, m);
  if (email)
    await apiPost(t, `/api/v1/customers/${msg.customer_id}/identities`, {
      channel: 'email',
      address: email,
      verified: true,
    });
  const p = await apiPost(t, '/api/v1/problems', { caseId: msg.case_id, topic: 'network' });
  await apiPost(t, `/api/v1/problems/${p.id}/status`, { status: 'fixed' });
  return { msg, row: await noticeRowOf(t.app.database.db, msg.case_id!) };
}

/** A message through the inbound API, the pipeline drained; returns its case and customer. */
export async function inboundThroughApi(t: TestApp, m: InboundMessage) {
  await apiPost(t, '/api/v1/inbound', m);
  await t.app.pipeline.drain();
  return t.app.database.db
    .selectFrom('messages')
    .select(['case_id', 'customer_id'])
    .where('external_id', '=', m.externalId)
    .executeTakeFirstOrThrow();
}

type ProblemsWorld = ReturnType<typeof problemsWorld>;

/** A customer's complaint on X an hour ago, through the pipeline; returns its case. */
const complaintOnX = async (w: ProblemsWorld, author: string) =>
  (
    await w.ingest([
      aMessage({
        channel: 'x',
        author: { id: author },
        text: 'no signal in Austin',
        sentAt: new Date(Date.now() - 3_600_000).toISOString(),
      }),
    ])
  )[0];

/** A customer's complaint on X an hour ago, linked to an automatic problem of its own. */
export async function problemOnXFor(w: ProblemsWorld, author: string) {
  const c = await complaintOnX(w, author);
  return { c, id: await w.autoProblem([c]) };
}

/**
 * A customer's complaint on X an hour ago (their verified e-mail added, if given), linked to an
 * automatic problem that is then fixed, its notices sent (not silent).
 */
export async function fixedOnX(w: ProblemsWorld, author: string, email: string | null) {
  const c = await complaintOnX(w, author);
  if (email) {
    const r = await w.api('POST', `/api/v1/customers/${c.customer_id}/identities`, {
      channel: 'email',
      address: email,
      verified: true,
    });
    expect(r.statusCode, r.body).toBeLessThan(300);
  }
  const id = await w.autoProblem([c]);
  expect((await w.setStatus(id, { status: 'fixed', silent: false })).statusCode).toBe(200);
  return { c, id };
}
