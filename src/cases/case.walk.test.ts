import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMessage, asAdmin, type TestApp, testApp } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { appendInbound } from '../ingest/inbound.log.js';
import type { InboundMessage } from '../ingest/inbound.schema.js';
import { TEST_NUMBER } from './test-world.js';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 5, 8, minute)).toISOString();

/**
 * Walking the inbox in activity order (`sort=activity`) while cases get new messages: none that
 * existed at the start is skipped. The default order's walk: case.walk.created.test.ts.
 */
describe.each(ENGINES)('inbox walk under traffic on %s', (engine) => {
  let t: TestApp;
  const first: InboundMessage[] = [];
  beforeAll(async () => {
    t = await testApp(engine);
    // An SMS number to reply from (without one a reply is refused up front).
    const sms = await asAdmin(t, 'POST', '/api/v1/channels', TEST_NUMBER);
    expect(sms.statusCode, sms.body).toBe(201);
    for (let i = 0; i < 12; i++) {
      first.push(
        aMessage({
          channel: 'sms',
          author: { id: `+1415555${String(1000 + i)}` },
          text: `walk case ${i}`,
          sentAt: at(i),
          visibility: 'private',
        }),
      );
    }
    await ingest(first);
  });
  afterAll(async () => {
    await t.close();
  });
  const ingest = async (msgs: InboundMessage[]) => {
    await appendInbound(t.app.database.db, t.app.workspace.workspaceId, msgs, Date.now());
    await t.app.pipeline.drain();
  };
  const page = async (query: string) => {
    const res = await asAdmin(t, 'GET', `/api/v1/cases?sort=activity&${query}`);
    expect(res.statusCode).toBe(200);
    return res.json() as { items: { id: string; subject: string }[]; nextCursor: string | null };
  };
  /** Every page of a walk; `between` runs after each page (the traffic). */
  const walk = async (query: string, between: (pageNo: number) => Promise<void>) => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let n = 0;
    do {
      const body = await page(`${query}${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...body.items.map((c) => c.id));
      cursor = body.nextCursor;
      await between(++n);
    } while (cursor && n < 30);
    return seen;
  };
  const all = async () => (await page('limit=200')).items.map((c) => c.id);

  it('a quiet walk sees each case once, in order', async () => {
    const quiet = await walk('limit=5', async () => {});
    expect(quiet).toHaveLength(12);
    expect(quiet).toEqual(await all());
  });

  it('a case that gets a new message mid-walk comes again at the end, never skipped', async () => {
    const before = await all();
    expect(before).toHaveLength(12);
    // After the first page, the oldest customers (last pages, not yet seen) write again.
    const seen = await walk('limit=3', async (n) => {
      if (n !== 1) return;
      // An agent's reply moves a case too (a trigger marks it, not the pipeline).
      const reply = await asAdmin(t, 'POST', `/api/v1/cases/${before[before.length - 3]}/replies`, {
        text: 'We are on it',
      });
      expect(reply.statusCode).toBe(201);
      await ingest(
        [0, 1].map((i) =>
          aMessage({
            channel: 'sms',
            author: { id: `+1415555${String(1000 + i)}` },
            text: `walk case ${i} again`,
            sentAt: at(30 + i),
            visibility: 'private',
          }),
        ),
      );
    });
    expect(await all()).toHaveLength(12); // the new messages joined the open cases
    for (const id of before) expect(seen).toContain(id);
    expect(seen.length).toBeLessThanOrEqual(12 + 3);
  });

  it('keeps its filters to the end', async () => {
    const q = await walk('limit=2&q=again', async (n) => {
      if (n !== 1) return;
      // A case without the text moves: it must not come in at the end either.
      await ingest([
        aMessage({
          channel: 'sms',
          author: { id: '+14155551005' },
          text: 'walk case 5 once more',
          sentAt: at(40),
          visibility: 'private',
        }),
      ]);
    });
    expect(q).toHaveLength(2);
    expect(new Set(q).size).toBe(2);
  });

  it('a text search walked under traffic misses no matching case either', async () => {
    const matching = (await page('limit=200&q=walk%20case')).items.map((c) => c.id);
    expect(matching).toHaveLength(12);
    for (const [q, first] of [
      ['walk%20case', 2],
      ['wa', 4],
    ] as const) {
      let minute = 50;
      const seen = await walk(`limit=3&q=${q}`, async (n) => {
        if (n > 2) return;
        // Two of the oldest write again (new text, old cases), after pages 1 and 2.
        await ingest(
          [n === 1 ? first : first + 1].map((i) =>
            aMessage({
              channel: 'sms',
              author: { id: `+1415555${String(1000 + i)}` },
              text: 'anything new?',
              sentAt: at(minute++),
              visibility: 'private',
            }),
          ),
        );
      });
      for (const id of matching) expect(seen, q).toContain(id);
    }
  });

  it('refuses a cursor it did not make', async () => {
    const bad = Buffer.from('w1:abc:12:x').toString('base64url');
    const res = await asAdmin(t, 'GET', `/api/v1/cases?cursor=${bad}`);
    expect(res.statusCode).toBe(400);
  });
});
