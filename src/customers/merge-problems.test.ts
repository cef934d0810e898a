import { describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { problemsWorld } from '../problems/test-world.js';

/**
 * Cases of a Messenger customer and of an SMS customer linked to one problem, the two then merged
 * as one person: the problem's links and notices stayed on the merged-away customer, so each
 * status update reached the person twice and they counted as two customers.
 */
describe.each(ENGINES)('a customer merge and their problems on %s', (engine) => {
  const t = suiteApp(engine);
  const w = problemsWorld(() => t);
  let k = 0;

  const complaint = (channel: 'sms' | 'facebook', author: string) =>
    aMessage({
      channel,
      visibility: 'private',
      author: { id: author },
      text: 'no signal in Austin since this morning',
      sentAt: new Date(Date.now() - 3_600_000).toISOString(),
    });
  const post = async (url: string, body: unknown, status = 200) => {
    const r = await w.api('POST', url, body);
    expect(r.statusCode, r.body).toBe(status);
    return r.json();
  };
  const counts = async (id: string) => ({
    stored: Number((await w.problem(id)).customer_count),
    shown: (await w.api('GET', `/api/v1/problems/${id}`)).json().customerCount as number,
  });
  const linkCustomers = async (id: string) =>
    (
      await w
        .db()
        .selectFrom('problem_links')
        .select(['case_id', 'customer_id'])
        .where('problem_id', '=', id)
        .orderBy('case_id')
        .execute()
    ).map((l) => `${l.case_id}:${l.customer_id}`);
  /** How many notices one status update queued, and to how many customers. */
  const update = async (id: string, body: string) => {
    const r = await post(`/api/v1/problems/${id}/status`, { body, silent: false });
    const rows = await w
      .db()
      .selectFrom('problem_notifications')
      .innerJoin('problem_updates', 'problem_updates.id', 'problem_notifications.update_id')
      .select('problem_notifications.customer_id')
      .where('problem_notifications.problem_id', '=', id)
      .where('problem_updates.body', '=', body)
      .execute();
    return { notified: r.notified as number, notices: rows.length };
  };

  it('one person hears each update once and counts once; unmerge gives back two', async () => {
    const n = ++k;
    const [dm, sms, other] = await w.ingest([
      complaint('facebook', `psid-merge-${engine}-${n}`),
      complaint('sms', `+1415555${String(1000 + n).slice(-4)}`),
      complaint('sms', `+1415556${String(1000 + n).slice(-4)}`),
    ]);
    const p = await post('/api/v1/problems', { caseId: dm!.case_id, topic: 'network' }, 201);
    await post(`/api/v1/problems/${p.id}/links`, { link: [sms!.case_id, other!.case_id] });
    expect(await counts(p.id)).toEqual({ stored: 3, shown: 3 });
    const before = await linkCustomers(p.id);

    const merge = await post(
      `/api/v1/customers/${sms!.customer_id}/merge`,
      { customerId: dm!.customer_id, reason: 'same person' },
      201,
    );
    expect(await counts(p.id)).toEqual({ stored: 2, shown: 2 });
    expect(await update(p.id, 'Engineers are on site.')).toEqual({ notified: 2, notices: 2 });

    await post(`/api/v1/customer-merges/${merge.mergeId}/unmerge`, { reason: 'two people' });
    expect(await linkCustomers(p.id)).toEqual(before);
    expect(await counts(p.id)).toEqual({ stored: 3, shown: 3 });
    expect(await update(p.id, 'Back up in an hour.')).toEqual({ notified: 3, notices: 3 });
  });

  it('a case linked while merged is about its own customer again after unmerge', async () => {
    const n = ++k;
    const [dm, sms] = await w.ingest([
      complaint('facebook', `psid-later-${engine}-${n}`),
      complaint('sms', `+1415557${String(1000 + n).slice(-4)}`),
    ]);
    const merge = await post(
      `/api/v1/customers/${sms!.customer_id}/merge`,
      { customerId: dm!.customer_id, reason: 'same person' },
      201,
    );
    // Linked while merged: both cases are the survivor's, one customer.
    const p = await post('/api/v1/problems', { caseId: sms!.case_id, topic: 'network' }, 201);
    await post(`/api/v1/problems/${p.id}/links`, { link: [dm!.case_id] });
    expect(await counts(p.id)).toEqual({ stored: 1, shown: 1 });
    expect(await update(p.id, 'Looking into it.')).toEqual({ notified: 1, notices: 1 });

    await post(`/api/v1/customer-merges/${merge.mergeId}/unmerge`, { reason: 'two people' });
    expect(await linkCustomers(p.id)).toEqual(
      [`${dm!.case_id}:${dm!.customer_id}`, `${sms!.case_id}:${sms!.customer_id}`].sort(),
    );
    expect(await counts(p.id)).toEqual({ stored: 2, shown: 2 });
    expect(await update(p.id, 'Fixed soon.')).toEqual({ notified: 2, notices: 2 });
  });

  it("a merged-away customer's export still holds their problem links and notices", async () => {
    const n = ++k;
    const [dm, sms] = await w.ingest([
      complaint('facebook', `psid-export-${engine}-${n}`),
      complaint('sms', `+1415558${String(1000 + n).slice(-4)}`),
    ]);
    const p = await post('/api/v1/problems', { caseId: dm!.case_id, topic: 'network' }, 201);
    await post(`/api/v1/problems/${p.id}/links`, { link: [sms!.case_id] });
    await update(p.id, 'We are on it.');
    await post(
      `/api/v1/customers/${sms!.customer_id}/merge`,
      { customerId: dm!.customer_id, reason: 'same person' },
      201,
    );
    const r = await w.api('GET', `/api/v1/customers/${dm!.customer_id}/export`);
    expect(r.statusCode, r.body).toBe(200);
    const doc = r.json();
    expect(doc.problemLinks.map((l: { case_id: string }) => l.case_id)).toEqual([dm!.case_id]);
    expect(doc.notifications.map((x: { case_id: string }) => x.case_id)).toEqual([dm!.case_id]);
  });
});
