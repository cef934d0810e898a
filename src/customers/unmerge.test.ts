import { describe, expect, it } from 'vitest';
import { aMessage, customerIdOf } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { careWorld } from '../cases/test-world.js';

const at = (minute: number) => new Date(Date.UTC(2026, 10, 6, 9, minute)).toISOString();

/** Messages that arrive while two customers are merged follow their sender back on unmerge. */
describe.each(ENGINES)('unmerge after new traffic on %s', (engine) => {
  const t = suiteApp(engine);
  const { db, api, ingest, sendingChannels } = careWorld(() => t);
  sendingChannels();
  const customerOf = (channel: string, address: string) => customerIdOf(db(), channel, address);
  const row = (externalId: string) =>
    db()
      .selectFrom('messages')
      .innerJoin('cases', 'cases.id', 'messages.case_id')
      .select(['messages.id', 'messages.case_id', 'messages.customer_id'])
      .select('cases.customer_id as case_customer')
      .where('messages.external_id', '=', externalId)
      .executeTakeFirstOrThrow();
  /** Every message of a customer's timeline sits in one of that customer's cases. */
  const agrees = async (customerId: string) => {
    const timeline = (await api('GET', `/api/v1/customers/${customerId}/timeline`)).json();
    const cases = (await api('GET', `/api/v1/customers/${customerId}`)).json().cases as {
      id: string;
    }[];
    const ids = new Set(cases.map((c) => c.id));
    const inbound = timeline.timeline.filter((m: { direction: string }) => m.direction === 'in');
    for (const m of inbound) expect(ids, `message ${m.id}`).toContain(m.caseId);
    return { timeline: timeline.timeline as { id: string }[], cases };
  };

  it('a private message sent while merged leaves the survivor case, with the reply to it', async () => {
    const sms = { channel: 'sms' as const, visibility: 'private' as const };
    const em = {
      channel: 'email' as const,
      visibility: 'private' as const,
      author: { id: 'bo@example.com' },
    };
    await ingest(aMessage({ ...em, text: 'bill wrong', sentAt: at(0) }));
    const smsFirst = aMessage({
      ...sms,
      author: { id: '+14155550777' },
      text: 'no signal',
      sentAt: at(1),
    });
    await ingest(smsFirst);
    const a = await customerOf('sms', '+14155550777');
    const b = await customerOf('email', 'bo@example.com');
    const merged = await api('POST', `/api/v1/customers/${a}/merge`, {
      customerId: b,
      reason: 'looked alike',
    });
    expect(merged.statusCode).toBe(201);
    const survivorCase = (await row(smsFirst.externalId)).case_id!;
    // While merged: Bo's email joins the survivor's latest open case (the SMS one) and an agent
    // answers it there; two days on, Bo's next email starts a case of the survivor's.
    const news = aMessage({ ...em, text: 'any news?', sentAt: at(2) });
    await ingest(news);
    expect((await row(news.externalId)).case_id).toBe(survivorCase);
    const reply = await api('POST', `/api/v1/cases/${survivorCase}/replies`, {
      text: 'On it, Bo',
      channel: 'email',
    });
    expect(reply.statusCode).toBe(201);
    const later = aMessage({ ...em, text: 'hello again', sentAt: at(2 * 24 * 60) });
    await ingest(later);
    const laterCase = (await row(later.externalId)).case_id!;
    expect((await row(later.externalId)).case_customer).toBe(a);

    const undo = await api('POST', `/api/v1/customer-merges/${merged.json().mergeId}/unmerge`, {
      reason: 'two people',
    });
    expect(undo.statusCode).toBe(200);
    const newsRow = await row(news.externalId);
    expect(newsRow.customer_id).toBe(b);
    expect(newsRow.case_customer).toBe(b);
    expect(newsRow.case_id).not.toBe(survivorCase);
    const replyRow = await db()
      .selectFrom('messages')
      .select(['case_id', 'customer_id'])
      .where('id', '=', reply.json().id)
      .executeTakeFirstOrThrow();
    expect(replyRow).toEqual({ case_id: newsRow.case_id, customer_id: b });
    expect(await row(later.externalId)).toMatchObject({ case_id: laterCase, case_customer: b });
    // The survivor's case holds only the survivor's traffic again, counted so.
    const left = (await api('GET', `/api/v1/cases/${survivorCase}`)).json();
    expect(left.messages.map((m: { text: string }) => m.text)).toEqual(['no signal']);
    expect(left.messageCount).toBe(1);
    const split = (await api('GET', `/api/v1/cases/${newsRow.case_id}`)).json();
    expect(split.messages.map((m: { text: string }) => m.text)).toEqual(['any news?', 'On it, Bo']);
    expect(split.customerId).toBe(b);
    expect((await api('GET', `/api/v1/cases/${newsRow.case_id}/sla`)).statusCode).toBe(200);
    const bees = await agrees(b);
    expect(bees.timeline.map((m) => m.id)).toContain(newsRow.id);
    const ays = await agrees(a);
    expect(ays.timeline.map((m) => m.id)).not.toContain(newsRow.id);
  });
});
