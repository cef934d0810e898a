import { describe, expect, it } from 'vitest';
import { aMessage, customerIdOf } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { careWorld } from '../cases/test-world.js';

/**
 * `GET /api/v1/customers/:id/timeline` reaches every message of a long-standing customer: it is
 * paged by cursor (newest first, ties on time told apart by id), as the other lists are. It used
 * to take only `limit` (at most 1000), so older messages could not be reached, and `?cursor=` was
 * a 400.
 */
describe.each(ENGINES)('the customer timeline on %s', (engine) => {
  const t = suiteApp(engine);
  const { db, api, ingest } = careWorld(() => t);

  it('walks every message page by page, newest first, none twice, ties on time kept apart', async () => {
    const phone = '+14155550177';
    const at = (min: number) => new Date(Date.UTC(2026, 0, 5, 9, min)).toISOString();
    // Seven messages, three of them sent in the same second (a page boundary falls among them).
    const minutes = [0, 1, 2, 2, 2, 3, 4];
    await ingest(
      ...minutes.map((m, i) =>
        aMessage({
          channel: 'sms',
          visibility: 'private',
          author: { id: phone },
          text: `message ${i}`,
          sentAt: at(m),
        }),
      ),
    );
    const customer = await customerIdOf(db(), 'sms', phone);
    const all = (
      await db()
        .selectFrom('messages')
        .select('id')
        .where('customer_id', '=', customer)
        .orderBy('sent_at', 'desc')
        .orderBy('id', 'desc')
        .execute()
    ).map((m) => m.id);
    expect(all).toHaveLength(7);

    const seen: string[] = [];
    let cursor = '';
    let pages = 0;
    do {
      const res = await api(
        'GET',
        `/api/v1/customers/${customer}/timeline?limit=2&cursor=${encodeURIComponent(cursor)}`,
      );
      expect(res.statusCode, res.body).toBe(200);
      const body = res.json();
      expect(body.timeline.length).toBeLessThanOrEqual(2);
      // Every page says who and what is still open, as the first one does.
      expect(body.customer.id).toBe(customer);
      expect(body.problemIds).toEqual([]);
      seen.push(...body.timeline.map((m: { id: string }) => m.id));
      cursor = body.nextCursor ?? '';
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(all);
    expect(pages).toBe(4);

    // Without a cursor: the first page, up to the default of 200 (as before paging came).
    const whole = (await api('GET', `/api/v1/customers/${customer}/timeline`)).json();
    expect(whole.timeline.map((m: { id: string }) => m.id)).toEqual(all);
    expect(whole.nextCursor).toBeNull();
  });

  it('refuses a malformed or unknown cursor (400), and a limit out of range', async () => {
    await ingest(
      aMessage({ channel: 'sms', visibility: 'private', author: { id: '+14155550178' } }),
    );
    const customer = await customerIdOf(db(), 'sms', '+14155550178');
    const url = `/api/v1/customers/${customer}/timeline`;
    for (const q of [
      '?cursor=not-a-cursor',
      '?cursor=0190a8f0-0000-7000-8000-000000000000',
      '?limit=0',
      '?limit=1001',
    ]) {
      const res = await api('GET', url + q);
      expect(res.statusCode, q).toBe(400);
    }
    expect((await api('GET', `${url}?limit=1000`)).statusCode).toBe(200);
    expect((await api('GET', '/api/v1/customers/no-such-customer/timeline')).statusCode).toBe(404);
  });
});
