import { describe, expect, it } from 'vitest';
import { aMessage, asAdmin } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { careWorld } from '../cases/test-world.js';
import { loadConfig } from '../config.js';

const DAY = 86_400_000;

describe.each(ENGINES)('retention on %s', (engine) => {
  const t = suiteApp(engine, { retentionDays: 1 });
  const { db, ingest } = careWorld(() => t);
  const ids = async (externalId: string) => {
    const m = await db()
      .selectFrom('messages')
      .select(['customer_id', 'case_id'])
      .where('external_id', '=', externalId)
      .executeTakeFirstOrThrow();
    return { customerId: m.customer_id!, caseId: m.case_id! };
  };
  const close = (caseId: string, at: number) =>
    db()
      .updateTable('cases')
      .set({ status: 'closed', closed_at: at })
      .where('id', '=', caseId)
      .execute();
  const customer = (id: string) =>
    db().selectFrom('customers').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const texts = async (caseId: string) =>
    (await db().selectFrom('messages').select('text').where('case_id', '=', caseId).execute()).map(
      (m) => m.text,
    );

  it('is off unless THROUGHLINE_RETENTION_DAYS is set', () => {
    expect(loadConfig({ THROUGHLINE_DATABASE_URL: 'sqlite::memory:' }).retentionDays).toBe(0);
    expect(
      loadConfig({ THROUGHLINE_DATABASE_URL: 'sqlite::memory:', THROUGHLINE_RETENTION_DAYS: '30' })
        .retentionDays,
    ).toBe(30);
  });

  it('erases closed cases past the period, and customers with nothing else left', async () => {
    const now = Date.now();
    const old = aMessage({
      author: { id: 'ret-old', name: 'Oldest Customer' },
      text: 'router dead at 5 Birch Lane',
    });
    const recent = aMessage({
      author: { id: 'ret-recent', name: 'Recent Customer' },
      text: 'billing wrong at 7 Oak Road',
    });
    const open = aMessage({
      author: { id: 'ret-open', name: 'Open Customer' },
      text: 'still waiting at 9 Pine Court',
    });
    const mixedOld = aMessage({
      author: { id: 'ret-mixed', name: 'Mixed Customer' },
      text: 'first trouble at 3 Ash Way',
    });
    await ingest(old, recent, open, mixedOld);
    const a = await ids(old.externalId);
    const b = await ids(recent.externalId);
    const c = await ids(open.externalId);
    const d = await ids(mixedOld.externalId);
    await close(a.caseId, now - 2 * DAY);
    await close(b.caseId, now - DAY / 2);
    await close(d.caseId, now - 3 * DAY);
    // The mixed customer writes again (a new case, still open): they keep their identity.
    const mixedNew = aMessage({
      author: { id: 'ret-mixed', name: 'Mixed Customer' },
      text: 'and now this',
    });
    await ingest(mixedNew);
    const d2 = await ids(mixedNew.externalId);
    expect(d2.caseId).not.toBe(d.caseId);

    const r = await t.app.retention.run(now);
    expect(r).toEqual({ cases: 2, customers: 1 });
    // Past the period: erased, the row and its counts kept.
    expect(await texts(a.caseId)).toEqual(['[erased]']);
    const caseA = await db()
      .selectFrom('cases')
      .selectAll()
      .where('id', '=', a.caseId)
      .executeTakeFirstOrThrow();
    expect(caseA).toMatchObject({ subject: '[erased]', message_count: 1, status: 'closed' });
    expect(await customer(a.customerId)).toMatchObject({ display_name: '[erased]' });
    const identities = await db()
      .selectFrom('identities')
      .select('id')
      .where('customer_id', '=', a.customerId)
      .execute();
    expect(identities).toEqual([]);
    // Within the period, or still open: untouched.
    expect(await texts(b.caseId)).toEqual(['billing wrong at 7 Oak Road']);
    expect(await texts(c.caseId)).toEqual(['still waiting at 9 Pine Court']);
    expect((await customer(b.customerId)).display_name).toBe('Recent Customer');
    // The old case of a customer with an open one goes; the customer and the open case stay.
    expect(await texts(d.caseId)).toEqual(['[erased]']);
    expect(await texts(d2.caseId)).toEqual(['and now this']);
    expect((await customer(d.customerId)).display_name).toBe('Mixed Customer');
    const search = await asAdmin(t, 'GET', '/api/v1/cases?q=Birch%20Lane');
    expect(search.json().items).toEqual([]);
    // Nothing more to do on the next run; the run is audited.
    expect(await t.app.retention.run(now)).toEqual({ cases: 0, customers: 0 });
    const log = await asAdmin(t, 'GET', '/api/v1/audit?action=retention.erased');
    expect(log.json().items).toHaveLength(1);
    expect(log.json().items[0].data).toMatchObject({ days: 1, cases: 2, customers: 1 });
  });
});
