import { describe, expect, it } from 'vitest';
import { suiteApp } from '../../../test/support/suite.js';
import { newId } from '../ids.js';
import { OutboxWorker } from './outbox.worker.js';

/*
 * Stopping the worker (a SIGTERM) ends the delivery under way and hands the rest of its claimed
 * batch back, due now, instead of holding the shutdown while slow providers answer each one.
 */
describe('the outbox worker stopping mid-batch', () => {
  const t = suiteApp('sqlite');

  it('delivers what it started and releases the rest for the next start', async () => {
    const db = t.app.database.db;
    const ws = t.app.workspace.workspaceId;
    const now = Date.now();
    const ids = Array.from({ length: 5 }, () => newId());
    await db
      .insertInto('outbox')
      .values(
        ids.map((id, i) => ({
          id,
          workspace_id: ws,
          kind: 'slow_test',
          idempotency_key: `slow:${i}`,
          payload_json: '{}',
          status: 'pending' as const,
          attempts: 0,
          next_attempt_at: now - 1000 + i,
          last_error: null,
          created_at: now,
          delivered_at: null,
        })),
      )
      .execute();
    let started = 0;
    let release: () => void = () => {};
    const firstStarted = new Promise<void>((r) => {
      release = r;
    });
    const worker = new OutboxWorker({
      database: t.app.database,
      senders: new Map(),
      handlers: new Map([
        [
          'slow_test',
          async () => {
            started++;
            release();
            await new Promise((r) => setTimeout(r, 300));
          },
        ],
      ]),
    });
    worker.start();
    await firstStarted;
    await worker.stop();
    expect(started).toBe(1);
    const rows = await db
      .selectFrom('outbox')
      .select(['id', 'status', 'attempts', 'next_attempt_at'])
      .where('kind', '=', 'slow_test')
      .orderBy('next_attempt_at')
      .execute();
    expect(rows.filter((r) => r.status === 'delivered')).toHaveLength(1);
    const back = rows.filter((r) => r.status === 'pending');
    expect(back).toHaveLength(4);
    // Due again at once (not after the one-minute lease), and no attempt spent.
    for (const r of back) {
      expect(Number(r.next_attempt_at)).toBeLessThanOrEqual(Date.now());
      expect(r.attempts).toBe(0);
    }
  });
});

/*
 * Once the provider has the message, failing to store the outcome must not send it again: the
 * row is closed with the reason, the message counts as sent, the provider is called once.
 */
describe('the outbox worker after a successful send', () => {
  const t = suiteApp('sqlite');

  it('closes the row without the provider id when storing it fails, and never re-sends', async () => {
    const db = t.app.database.db;
    const ws = t.app.workspace.workspaceId;
    const now = Date.now();
    const message = (id: string, externalId: string, direction: 'in' | 'out') => ({
      id,
      workspace_id: ws,
      case_id: null,
      customer_id: null,
      channel: 'testchan',
      channel_id: null,
      external_id: externalId,
      direction,
      visibility: 'private' as const,
      author_address: direction === 'in' ? 'cust-1' : 'token:t',
      author_name: null,
      text: 'hello',
      sent_at: now,
      received_at: now,
      in_reply_to: null,
      conversation_id: null,
      language: null,
      attachments_json: '[]',
      triage_json: null,
      raw_json: null,
      status: direction === 'in' ? 'received' : 'queued',
      user_id: null,
      deleted_at: null,
      unsolicited: 0,
    });
    const ours = newId();
    // A provider id that (wrongly) already names an inbound message: the update cannot store it.
    await db
      .insertInto('messages')
      .values([message(newId(), 'p-1', 'in'), message(ours, `tl-${ours}`, 'out')])
      .execute();
    const outboxId = newId();
    await db
      .insertInto('outbox')
      .values({
        id: outboxId,
        workspace_id: ws,
        kind: 'send_message',
        idempotency_key: `send_message:${ours}`,
        payload_json: JSON.stringify({
          messageId: ours,
          caseId: 'c',
          channel: 'testchan',
          channelId: null,
          to: 'cust-1',
          inReplyTo: null,
          visibility: 'private',
          text: 'hello',
        }),
        status: 'pending',
        attempts: 0,
        next_attempt_at: now - 1000,
        last_error: null,
        created_at: now,
        delivered_at: null,
      })
      .execute();
    let calls = 0;
    const worker = new OutboxWorker({
      database: t.app.database,
      senders: new Map([
        [
          'testchan',
          async () => {
            calls++;
            return { externalId: 'p-1' };
          },
        ],
      ]),
    });
    await worker.runOnce();
    await db.updateTable('outbox').set({ next_attempt_at: 0 }).where('id', '=', outboxId).execute();
    await worker.runOnce();
    expect(calls).toBe(1);
    const row = await db
      .selectFrom('outbox')
      .selectAll()
      .where('id', '=', outboxId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('delivered');
    expect(row.last_error).toMatch(/^sent, but storing the provider id failed: .*inbound message/);
    const msg = await db
      .selectFrom('messages')
      .selectAll()
      .where('id', '=', ours)
      .executeTakeFirstOrThrow();
    expect(msg).toMatchObject({ status: 'sent', external_id: `tl-${ours}` });
  });
});
