import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { ConnectorError } from '../channels/connector-error.js';
import type { Sender } from '../channels/sender.js';
import { problemsWorld } from '../problems/test-world.js';
import { notifyHandler } from './notify.handler.js';
import { fixedOnX, handleNotice, notifyOutbox } from './test-world.js';

const MIN = 60_000;
const HOUR = 60 * MIN;

/**
 * A route that keeps failing temporarily (X answering 429 for hours) is not waited out past the
 * 15-minute target: the customer's next route is tried. A notification the outbox gives up on
 * ends `failed`, so the problem's counts show it. A sent notice is the case's latest message.
 */
describe.each(ENGINES)('notification retries on %s', (engine) => {
  const t = suiteApp(engine);
  const w = problemsWorld(() => t);
  const db = () => t.app.database.db;
  let k = 0;

  /** A customer who complained on X (and gave a verified e-mail, if any); their problem fixed. */
  async function fixedFor(email: string | null) {
    const { c, id } = await fixedOnX(w, `x-budget-${engine}-${++k}`, email);
    const outbox = () =>
      db()
        .selectFrom('outbox')
        .select(['id', 'payload_json', 'idempotency_key', 'status', 'attempts'])
        .where('kind', '=', 'notify_customer')
        .where('payload_json', 'like', `%${c.case_id}%`)
        .executeTakeFirstOrThrow();
    const notification = () =>
      db()
        .selectFrom('problem_notifications')
        .select(['status', 'channel', 'address', 'error', 'created_at', 'sent_at'])
        .where('case_id', '=', c.case_id!)
        .executeTakeFirstOrThrow();
    return { c, id, outbox, notification };
  }

  /** X answering 429 for hours; counts the calls for `caseId`'s notice. */
  const rateLimited =
    (calls: { n: number }, caseId: string): Sender =>
    async (m) => {
      if (m.caseId === caseId) calls.n++;
      throw new ConnectorError('rate_limited', 'X rate limit: 429', 15 * MIN, 429);
    };

  /** The app's outbox worker on a clock of its own, with the real notify handler. */
  const worker = (senders: Map<string, Sender>, clock: () => number) =>
    notifyOutbox(t, senders, clock);

  it('X rate-limited: the verified e-mail gets the notice within 15 minutes', async () => {
    const f = await fixedFor(`budget-${engine}@example.org`);
    const queuedAt = Number((await f.notification()).created_at);
    let now = queuedAt;
    const x = { n: 0 };
    const emailed: string[] = [];
    const email: Sender = async (m) => {
      emailed.push(m.to);
      return { externalId: 'e1' };
    };
    const out = worker(
      new Map([
        ['x', rateLimited(x, f.c.case_id!)],
        ['email', email],
      ]),
      () => now,
    );
    for (let i = 0; i < 10 && emailed.length === 0; i++) {
      await out.runOnce(100);
      now += MIN;
    }
    const note = await f.notification();
    expect(x.n).toBeGreaterThan(0);
    expect(emailed).toEqual([`budget-${engine}@example.org`]);
    expect(note).toMatchObject({ status: 'sent', channel: 'email' });
    expect(note.error).toContain('rate_limited');
    expect(Number(note.sent_at) - queuedAt).toBeLessThanOrEqual(15 * MIN);
    expect((await f.outbox()).status).toBe('delivered');
    const api = (await w.api('GET', `/api/v1/problems/${f.id}`)).json();
    expect(api.notifications).toEqual({ sent: 1 });
  });

  it('a short temporary failure inside the budget is retried on the same route', async () => {
    const f = await fixedFor(`short-${engine}@example.org`);
    const queuedAt = Number((await f.notification()).created_at);
    let fail = true;
    const sent: string[] = [];
    const x: Sender = async (m) => {
      if (fail) throw new ConnectorError('temporary', 'X 503');
      sent.push(`x:${m.to}`);
      return { externalId: 't1' };
    };
    const email: Sender = async (m) => {
      sent.push(`email:${m.to}`);
      return { externalId: 'e1' };
    };
    const row = await f.outbox();
    const handler = notifyHandler({
      database: t.app.database,
      senders: new Map([
        ['x', x],
        ['email', email],
      ]),
      clock: () => queuedAt,
    });
    const ctx = { id: row.id, workspaceId: w.ws(), attempt: 1 };
    await expect(
      handler(JSON.parse(row.payload_json), row.idempotency_key, ctx),
    ).rejects.toMatchObject({ kind: 'temporary' });
    expect((await f.notification()).status).toBe('queued');
    fail = false;
    await handler(JSON.parse(row.payload_json), row.idempotency_key, { ...ctx, attempt: 2 });
    expect(sent).toEqual([expect.stringMatching(/^x:/)]);
    expect((await f.notification()).status).toBe('sent');
  });

  it('no other route and the outbox gives up: the notification is failed, not queued', async () => {
    const f = await fixedFor(null);
    let now = Number((await f.notification()).created_at);
    const x = { n: 0 };
    const out = worker(new Map([['x', rateLimited(x, f.c.case_id!)]]), () => now);
    const queuedAt = now;
    // The outbox retries a temporary failure for a day after queueing (an outage of hours must
    // not lose the notice), then gives up.
    for (let i = 0; i < 120 && (await f.outbox()).status === 'pending'; i++) {
      await out.runOnce(100);
      now += 16 * MIN;
    }
    const row = await f.outbox();
    expect(row.status).toBe('failed');
    expect(now - queuedAt).toBeGreaterThan(23 * 60 * MIN);
    expect(row.attempts).toBeGreaterThan(80);
    // Each attempt tries the public reply, then a DM to the same handle: X limits both.
    expect(x.n).toBe(2 * row.attempts);
    const note = await f.notification();
    expect(note.status).toBe('failed');
    expect(note.error).toContain('rate_limited');
    const api = (await w.api('GET', `/api/v1/problems/${f.id}`)).json();
    expect(api.notifications).toEqual({ failed: 1 });
  });

  it('a sent notice is the latest message of its case', async () => {
    const f = await fixedFor(null);
    const before = await db()
      .selectFrom('cases')
      .select(['last_message_at', 'message_count', 'status'])
      .where('id', '=', f.c.case_id!)
      .executeTakeFirstOrThrow();
    const sentAt = Number(before.last_message_at) + 2 * HOUR;
    const row = await f.outbox();
    const x: Sender = async () => ({ externalId: 't-latest' });
    await handleNotice(t, new Map([['x', x]]), row, () => sentAt);
    const after = await db()
      .selectFrom('cases')
      .select(['last_message_at', 'message_count', 'status'])
      .where('id', '=', f.c.case_id!)
      .executeTakeFirstOrThrow();
    expect(Number(after.last_message_at)).toBe(sentAt);
    expect(Number(after.message_count)).toBe(Number(before.message_count) + 1);
    expect(after.status).toBe(before.status);
  });
});
