import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMessage, asAdmin, type TestApp, testApp } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { appendInbound } from '../ingest/inbound.log.js';
import type { InboundMessage } from '../ingest/inbound.schema.js';
import { listCases } from './case.queries.js';
import { TEST_NUMBER } from './test-world.js';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 5, 9, minute)).toISOString();

interface Page {
  items: { id: string; createdAt: string; lastMessageAt: string; status: string }[];
  nextCursor: string | null;
}

/**
 * The case list's default walk (newest recorded first) while the desk works: every case comes
 * exactly once. Paging by last activity used to give a case that moved during the walk — or in
 * the few minutes before it, as every case of a just-loaded demo had — twice.
 */
describe.each(ENGINES)('case list walk in the default order on %s', (engine) => {
  let t: TestApp;
  let ids: string[] = [];
  beforeAll(async () => {
    t = await testApp(engine);
    const sms = await asAdmin(t, 'POST', '/api/v1/channels', TEST_NUMBER);
    expect(sms.statusCode, sms.body).toBe(201);
    for (let i = 0; i < 12; i++) await ingest([msg(i, `stable case ${i}`, i)]);
    ids = (await page('limit=200')).items.map((c) => c.id);
    expect(ids).toHaveLength(12);
    // As on the demo desk just loaded: agents have answered every case (each answer moves it).
    for (const id of ids) await reply(id);
  });
  afterAll(async () => {
    await t.close();
  });
  const msg = (customer: number, text: string, minute: number): InboundMessage =>
    aMessage({
      channel: 'sms',
      author: { id: `+1415556${String(1000 + customer)}` },
      text,
      sentAt: at(minute),
      visibility: 'private',
    });
  const ingest = async (msgs: InboundMessage[]) => {
    await appendInbound(t.app.database.db, t.app.workspace.workspaceId, msgs, Date.now());
    await t.app.pipeline.drain();
  };
  const reply = async (id: string) => {
    const res = await asAdmin(t, 'POST', `/api/v1/cases/${id}/replies`, { text: 'On it' });
    expect(res.statusCode, res.body).toBe(201);
  };
  const page = async (query: string): Promise<Page> => {
    const res = await asAdmin(t, 'GET', `/api/v1/cases?${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };
  /** Every page of a walk; `between` runs after each page (the desk at work). */
  const walk = async (
    query: string,
    between: (pageNo: number, seen: string[]) => Promise<void>,
  ) => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let n = 0;
    do {
      const body = await page(`${query}${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...body.items.map((c) => c.id));
      cursor = body.nextCursor;
      await between(++n, seen);
    } while (cursor && n < 30);
    return seen;
  };

  it('lists newest recorded first, and a quiet walk just after the work sees each case once', async () => {
    const quiet = await walk('limit=5', async () => {});
    expect(quiet).toEqual(ids);
    const items = (await page('limit=200')).items;
    const keys = items.map((c) => [Date.parse(c.createdAt), c.id] as const);
    const sorted = [...keys].sort((a, b) => b[0] - a[0] || (a[1] < b[1] ? 1 : -1));
    expect(keys).toEqual(sorted);
  });

  it('returns each case exactly once while cases get messages, replies and changes', async () => {
    let minute = 30;
    const seen = await walk('limit=3', async (n, sofar) => {
      const unseen = ids.filter((id) => !sofar.includes(id));
      const last = sofar[sofar.length - 1];
      // A case not yet reached and one already listed get customer messages (the oldest
      // customers, 0 and 1, are on the last pages), one gets a reply, one changes status.
      await ingest([
        msg(n % 2, `stable case ${n % 2} again`, minute++),
        msg(11, 'and me', minute++),
      ]);
      if (unseen.length) await reply(unseen[unseen.length - 1]);
      if (last) {
        const res = await asAdmin(t, 'PATCH', `/api/v1/cases/${last}`, { priority: 'high' });
        expect(res.statusCode, res.body).toBe(200);
      }
    });
    expect(seen).toHaveLength(12);
    expect(new Set(seen)).toEqual(new Set(ids));
  });

  it('keeps filters and text search to one each under traffic', async () => {
    let minute = 45;
    const query = 'q=stable%20case&status=new,open';
    const matching = (await page(`limit=200&${query}`)).items.map((c) => c.id);
    expect(matching.length).toBeGreaterThan(4);
    const seen = await walk(`limit=2&${query}`, async () => {
      await ingest([msg(0, 'stable case 0 once more', minute++)]);
      await ingest([msg(5, 'stable case 5 once more', minute++)]);
    });
    // Each that matched from the start, once; a case recorded meanwhile is ahead of the walk.
    expect(seen).toHaveLength(new Set(seen).size);
    expect(new Set(seen)).toEqual(new Set(matching));
  });

  it('keeps each case once when common text is scanned in a window of the newest recorded', async () => {
    // Every text "common" (no indexed plan) and a window of two cases: the scan and its fallback.
    const tuning = { maxIndexedHits: 0, scanWindow: 2 };
    const { db, caps } = t.app.database;
    const ws = t.app.workspace.workspaceId;
    const list = (cursor?: string) =>
      listCases(db, caps, ws, { q: 'stable case', limit: 2, cursor }, tuning);
    const matching = (await listCases(db, caps, ws, { q: 'stable case', limit: 200 })).rows;
    const seen: string[] = [];
    let cursor: string | undefined;
    let minute = 70;
    for (let n = 0; n < 40; n++) {
      const p = await list(cursor);
      seen.push(...p.rows.map((r) => r.id));
      if (!p.nextCursor) break;
      cursor = p.nextCursor;
      await ingest([msg(n % 3, `stable case ${n % 3} later`, minute++)]);
    }
    expect(seen).toHaveLength(new Set(seen).size);
    expect(new Set(seen)).toEqual(new Set(matching.map((r) => r.id)));
  });

  it('still lists most recently active first with sort=activity, and keeps a walk in its order', async () => {
    const first = await page('sort=activity&limit=4');
    const times = first.items.map((c) => Date.parse(c.lastMessageAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(first.nextCursor).not.toBeNull();
    // The cursor of an activity walk (the only kind before) goes on in that order without `sort`.
    const next = await page(`limit=4&cursor=${first.nextCursor}`);
    expect(Date.parse(next.items[0].lastMessageAt)).toBeLessThanOrEqual(times[times.length - 1]);
    // A sort that contradicts the cursor is refused, not silently mixed.
    const mixed = await asAdmin(t, 'GET', `/api/v1/cases?sort=created&cursor=${first.nextCursor}`);
    expect(mixed.statusCode).toBe(400);
    expect(mixed.json().error.message).toMatch(/sort=activity/);
    const created = (await page('limit=4')).nextCursor;
    expect(
      (await asAdmin(t, 'GET', `/api/v1/cases?sort=activity&cursor=${created}`)).statusCode,
    ).toBe(400);
    expect((await asAdmin(t, 'GET', '/api/v1/cases?sort=newest')).statusCode).toBe(400);
    const forged = Buffer.from('c1:soon:x').toString('base64url');
    expect((await asAdmin(t, 'GET', `/api/v1/cases?cursor=${forged}`)).statusCode).toBe(400);
  });
});
