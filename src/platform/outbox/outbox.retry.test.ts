import { describe, expect, it } from 'vitest';
import { suiteApp } from '../../../test/support/suite.js';
import { ConnectorError } from '../../channels/connector-error.js';
import { newId } from '../ids.js';
import { OutboxWorker, outboxBackoffMs } from './outbox.worker.js';

/*
 * A provider's outage of hours must not lose a customer's fix notice, a PagerDuty trigger or a
 * Jira update: temporary failures are retried with waits doubling from 2 s up to 15 minutes, for
 * 24 hours after the row was queued (8 attempts over about 8 minutes gave up before). A
 * permanent refusal still fails at once, and the first retries stay seconds apart.
 */
describe('outbox retries through a provider outage', () => {
  const t = suiteApp('sqlite');
  const db = () => t.app.database.db;

  async function queue(kind: string, payload: unknown, at: number) {
    const id = newId();
    await db()
      .insertInto('outbox')
      .values({
        id,
        workspace_id: t.app.workspace.workspaceId,
        kind,
        idempotency_key: `${kind}:${id}`,
        payload_json: JSON.stringify(payload),
        status: 'pending',
        attempts: 0,
        next_attempt_at: at,
        last_error: null,
        created_at: at,
        delivered_at: null,
      })
      .execute();
    return id;
  }
  const row = (id: string) =>
    db()
      .selectFrom('outbox')
      .select(['status', 'attempts', 'next_attempt_at', 'last_error'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();

  /** Runs the worker at each due time of the row until it is no longer pending. */
  async function runOut(worker: OutboxWorker, id: string, clock: { now: number }) {
    const waits: number[] = [];
    for (let i = 0; i < 500; i++) {
      const r = await row(id);
      if (r.status !== 'pending') break;
      const due = Number(r.next_attempt_at);
      if (i > 0) waits.push(due - clock.now);
      clock.now = Math.max(clock.now, due);
      await worker.runOnce(50);
    }
    return waits;
  }

  it('a handler failing for hours is retried for a day, at most 15 minutes apart, then given up', async () => {
    const start = Date.parse('2026-06-01T08:00:00Z');
    const clock = { now: start };
    const lasts: boolean[] = [];
    const worker = new OutboxWorker({
      database: t.app.database,
      senders: new Map(),
      clock: () => clock.now,
      handlers: new Map([
        [
          'down_test',
          async (_p: unknown, _k: string, r: { last?: boolean }) => {
            lasts.push(r.last === true);
            throw new ConnectorError('temporary', 'HTTP 503 from the provider');
          },
        ],
      ]),
    });
    const id = await queue('down_test', {}, start);
    const waits = await runOut(worker, id, clock);
    const end = await row(id);
    expect(end.status).toBe('failed');
    // The first retries are seconds apart (a healthy provider's blip costs nothing) ...
    expect(waits.slice(0, 4)).toEqual([2000, 4000, 8000, 16_000]);
    // ... the longest wait is 15 minutes, and the tries span the day the row was queued.
    expect(Math.max(...waits)).toBe(15 * 60_000);
    expect(end.attempts).toBeGreaterThan(90);
    expect(clock.now - start).toBeGreaterThan(23.5 * 3_600_000);
    expect(clock.now - start).toBeLessThanOrEqual(24 * 3_600_000);
    // The handler is told which attempt is the last one: the final one only.
    expect(lasts.filter(Boolean)).toHaveLength(1);
    expect(lasts.at(-1)).toBe(true);
  });

  it('a message send survives an outage of hours and goes out when the provider is back', async () => {
    const start = Date.parse('2026-06-02T08:00:00Z');
    const clock = { now: start };
    let down = true;
    let sent = 0;
    const worker = new OutboxWorker({
      database: t.app.database,
      senders: new Map([
        [
          'sms',
          async () => {
            if (down) throw new ConnectorError('temporary', 'HTTP 500 from Twilio');
            sent++;
            return { externalId: 'SM1' };
          },
        ],
      ]),
      clock: () => clock.now,
    });
    const id = await queue(
      'send_message',
      { channel: 'sms', messageId: newId(), caseId: newId(), to: '+15550100', text: 'fixed' },
      start,
    );
    for (let i = 0; i < 200 && clock.now < start + 3 * 3_600_000; i++) {
      clock.now = Math.max(clock.now, Number((await row(id)).next_attempt_at));
      await worker.runOnce(50);
    }
    expect((await row(id)).status).toBe('pending');
    down = false;
    clock.now = Number((await row(id)).next_attempt_at);
    await worker.runOnce(50);
    expect(await row(id)).toMatchObject({ status: 'delivered' });
    expect(sent).toBe(1);
  });

  it('a permanent refusal fails at once', async () => {
    const clock = { now: Date.parse('2026-06-03T08:00:00Z') };
    const worker = new OutboxWorker({
      database: t.app.database,
      senders: new Map(),
      clock: () => clock.now,
      handlers: new Map([
        [
          'refused_test',
          async () => {
            throw new ConnectorError('bad_request', 'HTTP 400: invalid routing key');
          },
        ],
      ]),
    });
    const id = await queue('refused_test', {}, clock.now);
    await worker.runOnce(50);
    expect(await row(id)).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('the budget and the longest wait are settings', async () => {
    expect(outboxBackoffMs(1)).toBe(2000);
    expect(outboxBackoffMs(200)).toBe(15 * 60_000);
    expect(outboxBackoffMs(200, 30 * 60_000)).toBe(30 * 60_000);
    const start = Date.parse('2026-06-04T08:00:00Z');
    const clock = { now: start };
    const worker = new OutboxWorker({
      database: t.app.database,
      senders: new Map(),
      clock: () => clock.now,
      retryForMs: 3_600_000,
      maxBackoffMs: 5 * 60_000,
      handlers: new Map([
        [
          'short_test',
          async () => {
            throw new ConnectorError('temporary', 'HTTP 502');
          },
        ],
      ]),
    });
    const id = await queue('short_test', {}, start);
    const waits = await runOut(worker, id, clock);
    expect((await row(id)).status).toBe('failed');
    expect(Math.max(...waits)).toBe(5 * 60_000);
    expect(clock.now - start).toBeLessThanOrEqual(3_600_000);
    expect(clock.now - start).toBeGreaterThan(50 * 60_000);
  });
});
