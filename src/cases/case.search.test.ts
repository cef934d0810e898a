import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMessage, asAdmin, type TestApp, testApp } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { appendInbound } from '../ingest/inbound.log.js';
import type { InboundMessage } from '../ingest/inbound.schema.js';
import { listCases } from './case.queries.js';
import { ftsPhrase, textFilter } from './case.search.js';

/** Message texts, each of a different customer (so each opens its own case). */
const TEXTS = {
  plain: 'My router keeps blinking orange since Tuesday',
  quotes: 'You said "refund NOW" AND NEAR(fee charge) in the chat',
  wildcards: 'The 50%_off* code ^start {body}: did nothing',
  chinese: '我的退款还没有到账，已经等了两周',
  russian: 'Интернет не работает третий день',
  arabic: 'الإنترنت مقطوع منذ الصباح',
  emoji: 'Signal gone again 📶❌ downtown',
} as const;

describe.each(ENGINES)('inbox text search on %s', (engine) => {
  let t: TestApp;
  const caseOf = new Map<string, string>();
  const db = () => t.app.database.db;
  const ws = () => t.app.workspace.workspaceId;

  const ingest = async (...msgs: InboundMessage[]) => {
    await appendInbound(db(), ws(), msgs, Date.now());
    await t.app.pipeline.drain();
  };
  const caseIdOf = async (externalId: string) =>
    (
      await db()
        .selectFrom('messages')
        .select('case_id')
        .where('external_id', '=', externalId)
        .executeTakeFirstOrThrow()
    ).case_id as string;
  /** Case ids the inbox API answers for `q`, sorted. */
  const search = async (q: string) => {
    const res = await asAdmin(t, 'GET', `/api/v1/cases?limit=100&q=${encodeURIComponent(q)}`);
    expect(res.statusCode).toBe(200);
    return (res.json().items as { id: string }[]).map((c) => c.id).sort();
  };
  const only = (...keys: string[]) => keys.map((k) => caseOf.get(k)).sort();

  beforeAll(async () => {
    t = await testApp(engine);
    for (const [key, text] of Object.entries(TEXTS)) {
      const m = aMessage({
        channel: 'sms',
        visibility: 'private',
        author: { id: `+1415555${String(caseOf.size).padStart(4, '0')}`, name: `Person ${key}` },
        text,
      });
      await ingest(m);
      caseOf.set(key, await caseIdOf(m.externalId));
    }
  });
  afterAll(async () => {
    await t.close();
  });

  it('finds a case by a word of a later message, case-insensitively', async () => {
    const first = aMessage({ author: { id: 'later-1', name: 'Jo Later' }, text: 'hello there' });
    await ingest(first);
    const follow = aMessage({
      author: { id: 'later-1' },
      text: 'Also my Voicemail PIN stopped working',
      inReplyTo: first.externalId,
      visibility: 'public',
    });
    await ingest(follow);
    const id = await caseIdOf(first.externalId);
    expect(await caseIdOf(follow.externalId)).toBe(id);
    caseOf.set('later', id);
    expect(await search('voicemail pin')).toEqual([id]);
    expect(await search('BLINKING ORANGE')).toEqual(only('plain'));
  });

  it("finds a case by its customer's name and by its subject", async () => {
    expect(await search('person arabic')).toEqual(only('arabic'));
    await db()
      .updateTable('cases')
      .set({ subject: 'Escalated: billing dispute #4471' })
      .where('id', '=', caseOf.get('emoji')!)
      .execute();
    expect(await search('dispute #447')).toEqual(only('emoji'));
  });

  it('treats quotes, LIKE wildcards and FTS operators as plain text', async () => {
    expect(await search('"refund NOW"')).toEqual(only('quotes'));
    expect(await search('AND NEAR(fee')).toEqual(only('quotes'));
    expect(await search('NEAR')).toEqual(only('quotes'));
    expect(await search('50%_off*')).toEqual(only('wildcards'));
    expect(await search('{body}:')).toEqual(only('wildcards'));
    expect(await search('^start')).toEqual(only('wildcards'));
    // Wildcards match only themselves: "50" followed by any character is not "50%".
    expect(await search('0%_')).toEqual(only('wildcards'));
    expect(await search('router%orange')).toEqual([]);
    expect(await search('rout_r')).toEqual([]);
    expect(await search('%')).toEqual(only('wildcards'));
    expect(await search('"')).toEqual(only('quotes'));
    expect(await search('" OR "')).toEqual([]);
    expect(await search('*')).toEqual(only('wildcards'));
    expect(await search('keeps\u0000 blinking')).toEqual(only('plain'));
  });

  it('finds non-Latin text, including queries shorter than a trigram', async () => {
    expect(await search('没有到账')).toEqual(only('chinese'));
    expect(await search('退款')).toEqual(only('chinese')); // 2 characters: the scan plan
    expect(await search('не работает')).toEqual(only('russian'));
    expect(await search('مقطوع')).toEqual(only('arabic'));
    expect(await search('📶❌')).toEqual(only('emoji'));
    expect(await search('ые')).toEqual([]);
  });

  it('folds case beyond ASCII where the engine can (SQLite FTS5; PostgreSQL by its locale)', async () => {
    const r = await search('ИНТЕРНЕТ НЕ');
    if (engine === 'sqlite') expect(r).toEqual(only('russian'));
    // The test cluster runs with the C locale, which folds ASCII only.
    else expect(r).toEqual([]);
  });

  it('answers the same with the indexed plan and the scan plan', async () => {
    const queries = ['router', 'refund NOW', '50%_off*', 'person', 'не работает', 'nothing here'];
    for (const q of queries) {
      const ids = async (maxHits: number) => {
        const f = await textFilter(db(), t.app.database.caps, ws(), q, { maxIndexedHits: maxHits });
        const rows = await db()
          .selectFrom('cases')
          .leftJoin('customers', 'customers.id', 'cases.customer_id')
          .select('cases.id')
          .where(f.where)
          .execute();
        return { plan: f.plan, ids: rows.map((r) => r.id).sort() };
      };
      const indexed = await ids(1_000);
      const scanned = await ids(-1);
      expect(indexed.plan).toBe('indexed');
      expect(scanned.plan).toBe('scan');
      expect(indexed.ids).toEqual(scanned.ids);
    }
    // Through listCases too: many hits switch to the scan and still page correctly.
    const all = await listCases(db(), t.app.database.caps, ws(), { q: 'person', limit: 3 });
    expect(all.rows).toHaveLength(3);
    expect(all.nextCursor).not.toBeNull();
  });

  it('pages common text through the newest-cases window, then the indexes for older cases', async () => {
    const at = (iso: string) => ({
      sentAt: iso,
      visibility: 'private' as const,
      channel: 'sms' as const,
    });
    const old = aMessage({
      ...at('2026-01-01T10:00:00Z'),
      author: { id: '+15550001' },
      text: 'kumquat pie',
    });
    const b = aMessage({
      ...at('2027-01-01T10:00:00Z'),
      author: { id: '+15550002' },
      text: 'plain',
    });
    const c = aMessage({
      ...at('2027-01-01T11:00:00Z'),
      author: { id: '+15550003' },
      text: 'plain',
    });
    await ingest(old, b, c);
    const tuning = { maxIndexedHits: 0, scanWindow: 2 };
    const caps = t.app.database.caps;
    const f = await textFilter(db(), caps, ws(), 'kumquat', tuning);
    expect(f.plan).toBe('scan');
    expect(f.fallback).toBeDefined();
    const oldCase = await caseIdOf(old.externalId);
    // The newest two cases hold no kumquat: the older case comes from the indexes.
    const one = await listCases(db(), caps, ws(), { q: 'kumquat', limit: 50 }, tuning);
    expect(one.rows.map((r) => r.id)).toEqual([oldCase]);
    const d = aMessage({
      ...at('2027-01-01T12:00:00Z'),
      author: { id: '+15550004' },
      text: 'Kumquat!',
    });
    await ingest(d);
    const newCase = await caseIdOf(d.externalId);
    const p1 = await listCases(db(), caps, ws(), { q: 'kumquat', limit: 1 }, tuning);
    expect(p1.rows.map((r) => r.id)).toEqual([newCase]);
    const p2 = await listCases(
      db(),
      caps,
      ws(),
      { q: 'kumquat', limit: 1, cursor: p1.nextCursor ?? undefined },
      tuning,
    );
    expect(p2.rows.map((r) => r.id)).toEqual([oldCase]);
    expect(p2.nextCursor).toBeNull();
    expect(await search('kumquat')).toEqual([oldCase, newCase].sort());
  });

  it('forgets deleted messages, replaced text and renamed customers', async () => {
    const m = aMessage({ author: { id: 'gone-1', name: 'Quentin Gone' }, text: 'zebra crossing' });
    await ingest(m);
    const id = await caseIdOf(m.externalId);
    expect(await search('zebra cross')).toEqual([id]);
    // Text replaced (e.g. redacted on a data-subject request): old words gone, new ones found.
    await db()
      .updateTable('messages')
      .set({ text: '[erased]' })
      .where('external_id', '=', m.externalId)
      .execute();
    await db().updateTable('cases').set({ subject: '[erased]' }).where('id', '=', id).execute();
    expect(await search('zebra cross')).toEqual([]);
    expect(await search('[erased]')).toEqual([id]);
    // Customer renamed: the old name no longer finds the case.
    const cust = await db()
      .selectFrom('cases')
      .select('customer_id')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(await search('quentin')).toEqual([id]);
    await db()
      .updateTable('customers')
      .set({ display_name: 'Q.' })
      .where('id', '=', cust.customer_id)
      .execute();
    expect(await search('quentin')).toEqual([]);
    // Rows deleted outright are gone from the index as well.
    await db().deleteFrom('messages').where('case_id', '=', caseOf.get('plain')!).execute();
    await db()
      .updateTable('cases')
      .set({ subject: 'x' })
      .where('id', '=', caseOf.get('plain')!)
      .execute();
    expect(await search('blinking orange')).toEqual([]);
    expect(await search('Person plain')).toEqual(only('plain'));
  });

  // SQLite documents that VACUUM may renumber implicit rowids (this version keeps them here, so
  // this checks the index stays right across VACUUM and later deletes, not the renumbering).
  it.runIf(engine === 'sqlite')('stays right across VACUUM and later deletes', async () => {
    const a = aMessage({ author: { id: 'vac-a' }, text: 'alpha aardvark' });
    const b = aMessage({ author: { id: 'vac-b' }, text: 'bravo bison' });
    const c = aMessage({ author: { id: 'vac-c' }, text: 'charlie cheetah' });
    await ingest(a, b, c);
    const [ia, ib, ic] = [a, b, c].map((m) => caseIdOf(m.externalId));
    // Only the messages hold the words (a subject starts as the first message's text).
    await db()
      .updateTable('cases')
      .set({ subject: 'vacuum test' })
      .where('id', 'in', await Promise.all([ia, ib, ic]))
      .execute();
    // A gap in messages' implicit rowids before the VACUUM.
    await db().deleteFrom('messages').where('external_id', '=', b.externalId).execute();
    await sql`VACUUM`.execute(db());
    expect(await search('charlie chee')).toEqual([await ic]);
    expect(await search('bravo bis')).toEqual([]);
    await db().deleteFrom('messages').where('external_id', '=', c.externalId).execute();
    expect(await search('charlie chee')).toEqual([]);
    expect(await search('alpha aard')).toEqual([await ia]);
  });
});

describe('ftsPhrase', () => {
  it('quotes the whole text and doubles its quotes', () => {
    expect(ftsPhrase('a "b" NEAR(c)')).toBe('"a ""b"" NEAR(c)"');
  });
});
