import { describe, expect, it } from 'vitest';
import { aMessage, asAdmin } from '../../../test/builders.js';
import { ENGINES } from '../../../test/support/engines.js';
import { suiteApp } from '../../../test/support/suite.js';
import { careWorld } from '../../cases/test-world.js';
import { classify } from '../../triage/index.js';
import { appendInbound } from '../inbound.log.js';
import { PipelineWorker } from './worker.js';

const at = (h: number, m = 0) => new Date(Date.UTC(2026, 10, 2, h, m)).toISOString();

describe.each(ENGINES)('ingest pipeline on %s', (engine) => {
  const t = suiteApp(engine, { threadWindowMinutes: 120, reopenWindowHours: 48 });
  const { ingest } = careWorld(() => t);

  const messageRow = (externalId: string) =>
    t.app.database.db
      .selectFrom('messages')
      .selectAll()
      .where('external_id', '=', externalId)
      .executeTakeFirstOrThrow();
  const caseRow = (id: string) =>
    t.app.database.db
      .selectFrom('cases')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  it('creates customer, case and message, routed to the default queue, with language', async () => {
    const m = aMessage({
      text: 'My phone has had no signal at all since yesterday evening, please help',
    });
    await ingest(m);
    const row = await messageRow(m.externalId);
    expect(row.case_id).not.toBeNull();
    expect(row.language).toBe('en');
    const c = await caseRow(row.case_id!);
    expect(c.status).toBe('new');
    expect(c.queue_id).toBe(t.app.workspace.defaultQueueId);
    expect(c.opened_at).toBe(Date.parse(m.sentAt));
    const identity = await t.app.database.db
      .selectFrom('identities')
      .selectAll()
      .where('address', '=', m.author.id)
      .executeTakeFirstOrThrow();
    expect(identity.customer_id).toBe(c.customer_id);
  });

  it('threads: reply joins parent case, same customer within window joins, outside window opens a new case', async () => {
    const author = { id: 'thread-cust', name: 'Ana' };
    const priv = { visibility: 'private' as const, channel: 'sms' as const };
    const first = aMessage({ ...priv, author, sentAt: at(8) });
    const agent = aMessage({
      ...priv,
      author: { id: 'brand' },
      direction: 'out',
      inReplyTo: first.externalId,
      sentAt: at(8, 5),
    });
    const reply = aMessage({ ...priv, author, inReplyTo: agent.externalId, sentAt: at(12) }); // 4 h later, but a reply
    const sameWindow = aMessage({ ...priv, author, sentAt: at(13) }); // within 2 h of last message
    const later = aMessage({ ...priv, author, sentAt: at(20) }); // 7 h later: new case
    await ingest(first, agent, reply, sameWindow, later);
    const ids = await Promise.all(
      [first, agent, reply, sameWindow, later].map((m) => messageRow(m.externalId)),
    );
    expect(new Set(ids.slice(0, 4).map((r) => r.case_id)).size).toBe(1);
    expect(ids[4].case_id).not.toBe(ids[0].case_id);
    expect(ids[1].direction).toBe('out');
    const c = await caseRow(ids[0].case_id!);
    expect(c.first_response_at).toBe(Date.parse(agent.sentAt));
    expect(c.message_count).toBe(4);
    expect(c.status).toBe('open');
  });

  it('a public reply joins the conversation case; a private one from someone else does not', async () => {
    const a = aMessage({ author: { id: 'owner-1' }, sentAt: at(9) });
    const b = aMessage({
      author: { id: 'bystander-1' },
      inReplyTo: a.externalId,
      sentAt: at(9, 1),
    });
    const c = aMessage({
      author: { id: 'bystander-2' },
      inReplyTo: a.externalId,
      sentAt: at(9, 2),
      visibility: 'private',
    });
    await ingest(a, b, c);
    expect((await messageRow(b.externalId)).case_id).toBe((await messageRow(a.externalId)).case_id);
    expect((await messageRow(c.externalId)).case_id).not.toBe(
      (await messageRow(a.externalId)).case_id,
    );
  });

  it('a new public post starts its own conversation case; a private message joins the open case', async () => {
    const author = { id: 'public-cust' };
    const first = aMessage({ author, sentAt: at(10) });
    const secondPost = aMessage({ author, sentAt: at(10, 10) });
    const dm = aMessage({ author, sentAt: at(10, 20), visibility: 'private' });
    await ingest(first, secondPost, dm);
    const [r1, r2, r3] = await Promise.all(
      [first, secondPost, dm].map((m) => messageRow(m.externalId)),
    );
    expect(r2.case_id).not.toBe(r1.case_id);
    expect(r3.case_id).toBe(r2.case_id);
  });

  it('reopens a resolved case when the customer comes back within the reopen window (event time)', async () => {
    const author = { id: 'reopen-cust' };
    const p = { visibility: 'private' as const };
    const m1 = aMessage({ ...p, author, sentAt: at(1) });
    await ingest(m1);
    const caseId = (await messageRow(m1.externalId)).case_id!;
    await t.app.database.db
      .updateTable('cases')
      .set({ status: 'resolved', resolved_at: Date.parse(at(2)) })
      .where('id', '=', caseId)
      .execute();
    const m2 = aMessage({
      visibility: 'private',
      author,
      sentAt: new Date(Date.parse(at(2)) + 24 * 3_600_000).toISOString(),
    });
    await ingest(m2);
    expect((await messageRow(m2.externalId)).case_id).toBe(caseId);
    expect((await caseRow(caseId)).status).toBe('open');
    const history = await t.app.database.db
      .selectFrom('case_events')
      .select('type')
      .where('case_id', '=', caseId)
      .execute();
    expect(history.map((h) => h.type)).toContain('reopened');
    // Three days after resolution is outside the 48 h window: a new case.
    await t.app.database.db
      .updateTable('cases')
      .set({ status: 'resolved', resolved_at: Date.parse(m2.sentAt) })
      .where('id', '=', caseId)
      .execute();
    const m3 = aMessage({
      visibility: 'private',
      author,
      sentAt: new Date(Date.parse(m2.sentAt) + 72 * 3_600_000).toISOString(),
    });
    await ingest(m3);
    expect((await messageRow(m3.externalId)).case_id).not.toBe(caseId);
  });

  it('a new public post from a customer whose case was resolved reopens it (any channel)', async () => {
    const author = { id: 'public-reopen' };
    const first = aMessage({ author, channel: 'x', sentAt: at(3) });
    await ingest(first);
    const caseId = (await messageRow(first.externalId)).case_id!;
    await t.app.database.db
      .updateTable('cases')
      .set({ status: 'resolved', resolved_at: Date.parse(at(4)) })
      .where('id', '=', caseId)
      .execute();
    const again = aMessage({ author, channel: 'x', sentAt: at(5) });
    await ingest(again);
    expect((await messageRow(again.externalId)).case_id).toBe(caseId);
    expect((await caseRow(caseId)).status).toBe('open');
  });

  it('an outbound message whose parent is unknown is kept as an orphan, not dropped', async () => {
    const o = aMessage({ direction: 'out', author: { id: 'brand' }, inReplyTo: 'nowhere' });
    await ingest(o);
    const row = await messageRow(o.externalId);
    expect(row.case_id).toBeNull();
  });

  it('parks a payload that is not a message with its reason, and keeps processing others', async () => {
    const good = aMessage();
    await t.app.database.db
      .insertInto('inbound_events')
      .values({
        workspace_id: t.app.workspace.workspaceId,
        channel: 'api',
        external_id: 'broken-1',
        received_at: Date.now(),
        payload_json: '{"channel":"api"}',
        status: 'pending',
        attempts: 0,
        next_attempt_at: 0,
      })
      .execute();
    await ingest(good);
    const parked = await t.app.database.db
      .selectFrom('inbound_events')
      .selectAll()
      .where('external_id', '=', 'broken-1')
      .executeTakeFirstOrThrow();
    expect(parked.status).toBe('parked');
    expect(parked.last_error).toMatch(/payload invalid/);
    expect((await messageRow(good.externalId)).case_id).not.toBeNull();
    const res = await asAdmin(t, 'GET', '/api/v1/admin/parked');
    expect(res.json().items.map((i: { externalId: string }) => i.externalId)).toContain('broken-1');
    const status = await asAdmin(t, 'GET', '/api/v1/admin/pipeline');
    expect(status.json()).toMatchObject({ pending: 0, oldestPendingAgeMs: null });
    expect(status.json().parked).toBeGreaterThanOrEqual(1);
    expect(status.json().done).toBeGreaterThan(0);
  });

  it('retries a failing event with back-off, parks it after the last attempt, and can retry it', async () => {
    let now = 1_000_000;
    let failing = true;
    const worker = new PipelineWorker({
      database: t.app.database,
      settings: {
        workspaceId: t.app.workspace.workspaceId,
        threadWindowMs: 3_600_000,
        reopenWindowMs: 3_600_000,
        defaultQueueId: null,
      },
      batchSize: 10,
      maxAttempts: 3,
      clock: () => now,
      classify: (input) => {
        if (failing && input.text.includes('POISON')) throw new Error('classifier exploded');
        return classify(input);
      },
    });
    const poison = aMessage({ text: 'POISON pill' });
    const fine = aMessage({ text: 'fine' });
    await appendInbound(t.app.database.db, t.app.workspace.workspaceId, [poison, fine], now);
    await worker.runOnce();
    const ev = () =>
      t.app.database.db
        .selectFrom('inbound_events')
        .selectAll()
        .where('external_id', '=', poison.externalId)
        .executeTakeFirstOrThrow();
    expect((await ev()).attempts).toBe(1);
    expect((await ev()).status).toBe('pending');
    expect((await messageRow(fine.externalId)).case_id).not.toBeNull(); // not blocked
    expect(await worker.runOnce()).toBe(0); // not due yet: back-off
    for (let i = 0; i < 2; i++) {
      now += 10 * 60_000;
      await worker.runOnce();
    }
    expect((await ev()).status).toBe('parked');
    expect((await ev()).last_error).toMatch(/classifier exploded/);
    failing = false;
    // A misspelt list is refused (it would otherwise mean "retry every parked event").
    const typo = await asAdmin(t, 'POST', '/api/v1/admin/parked/retry', {
      seq: [(await ev()).seq],
    });
    expect(typo.statusCode).toBe(400);
    expect(typo.json().error.message).toBe('invalid request: body has no field "seq"');
    expect((await ev()).status).toBe('parked');
    const retry = await asAdmin(t, 'POST', '/api/v1/admin/parked/retry', {
      seqs: [(await ev()).seq],
    });
    expect(retry.json().retried).toBe(1);
    now = Date.now() + 1000;
    await worker.drain();
    expect((await ev()).status).toBe('done');
    expect((await messageRow(poison.externalId)).case_id).not.toBeNull();
  });
});
