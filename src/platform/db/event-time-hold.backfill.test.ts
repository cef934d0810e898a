import { afterEach, describe, expect, it } from 'vitest';
import { ENGINES, freshDatabase } from '../../../test/support/engines.js';
import { migrateTo, migrateToLatest } from './migrate.js';

/**
 * Migration 0020 on a desk upgraded mid-backlog (an upgrade is a restart, a restart a catch-up):
 * the events still waiting get their event time, and the SLA deadlines already scheduled wait
 * for them; timers that are not SLA deadlines, and what is done, are left as they were.
 */
describe.each(ENGINES)('event-time hold backfill on %s', (engine) => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await close?.();
    close = undefined;
  });

  it('dates pending events and makes pending SLA timers wait for them', async () => {
    const fresh = await freshDatabase(engine);
    close = fresh.cleanup;
    const { database } = fresh;
    const db = database.db;
    await migrateTo(database, '0018_erasure');
    const sentAt = '2026-03-04T10:00:00.000+01:00';
    const event = (externalId: string, status: string, payload: string) => ({
      workspace_id: 'w1',
      channel: 'api',
      external_id: externalId,
      received_at: 1,
      payload_json: payload,
      status,
      attempts: 0,
      next_attempt_at: 1,
    });
    await db
      .insertInto('inbound_events')
      .values([
        event('waiting', 'pending', JSON.stringify({ externalId: 'waiting', sentAt })),
        event('done', 'done', JSON.stringify({ externalId: 'done', sentAt })),
        event('broken', 'pending', '{"channel":"api"}'),
      ] as never)
      .execute();
    const timer = (id: string, kind: string, status: string) => ({
      id,
      workspace_id: 'w1',
      kind,
      ref_id: 'c1',
      due_at: 5,
      status,
      created_at: 1,
    });
    await db
      .insertInto('timers')
      .values([
        timer('t1', 'sla.breach:first_response', 'pending'),
        timer('t2', 'sla.at_risk:resolution', 'fired'),
        timer('t3', 'promise.due', 'pending'),
      ] as never)
      .execute();

    await migrateToLatest(database);
    const events = await db
      .selectFrom('inbound_events')
      .select(['external_id', 'sent_at'])
      .orderBy('external_id')
      .execute();
    expect(
      events.map((e) => [e.external_id, e.sent_at === null ? null : Number(e.sent_at)]),
    ).toEqual([
      ['broken', null],
      ['done', null],
      ['waiting', Date.parse(sentAt)],
    ]);
    const timers = await db
      .selectFrom('timers')
      .select(['id', 'hold_from'])
      .orderBy('id')
      .execute();
    expect(timers.map((t) => [t.id, t.hold_from === null ? null : Number(t.hold_from)])).toEqual([
      ['t1', 0],
      ['t2', null],
      ['t3', null],
    ]);
  });
});
