import { describe, expect, it } from 'vitest';
import { aMessage, caseIdOf } from '../../../test/builders.js';
import { ENGINES } from '../../../test/support/engines.js';
import { suiteApp } from '../../../test/support/suite.js';
import { careWorld } from '../../cases/test-world.js';

/*
 * "Thanks, works now" on a case that waits on the customer, or that we resolved, is read and
 * kept on the case, but does not reopen it: nothing in it for an agent to do.
 */
describe.each(ENGINES)('closing replies on %s', (engine) => {
  const t = suiteApp(engine, { threadWindowMinutes: 120, reopenWindowHours: 48 });
  const { db, api, ingest, sendingChannels } = careWorld(() => t);
  sendingChannels();
  const caseOfMessage = (externalId: string) => caseIdOf(db(), externalId);
  const caseRow = (id: string) =>
    db().selectFrom('cases').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const eventTypes = async (id: string) =>
    (await db().selectFrom('case_events').select('type').where('case_id', '=', id).execute()).map(
      (e) => e.type,
    );
  let n = 0;
  /** A customer's complaint answered by an agent, and the case set to the given status. */
  const answered = async (status: 'pending' | 'resolved') => {
    const author = { id: `+1415555${String(7000 + n++)}` };
    const first = aMessage({
      channel: 'sms',
      visibility: 'private',
      author,
      text: 'No signal at home since this morning',
      sentAt: new Date(Date.now() - 60_000).toISOString(),
    });
    await ingest(first);
    const caseId = await caseOfMessage(first.externalId);
    expect(
      (await api('POST', `/api/v1/cases/${caseId}/replies`, { text: 'We reset your line.' }))
        .statusCode,
    ).toBe(201);
    expect((await api('PATCH', `/api/v1/cases/${caseId}`, { status })).statusCode).toBe(200);
    const reply = (text: string, after = 1000) =>
      aMessage({
        channel: 'sms',
        visibility: 'private',
        author,
        text,
        sentAt: new Date(Date.now() + after).toISOString(),
      });
    return { caseId, reply };
  };

  it('a thank-you keeps a case waiting on the customer; a new question opens it', async () => {
    const { caseId, reply } = await answered('pending');
    const thanks = reply('Working again. Thanks!');
    await ingest(thanks);
    expect(await caseOfMessage(thanks.externalId)).toBe(caseId);
    expect(await caseRow(caseId)).toMatchObject({ status: 'pending', status_reason: 'customer' });
    expect(await eventTypes(caseId)).toContain('acknowledged');
    const more = reply('Thanks. Can you also check why my bill went up?', 2000);
    await ingest(more);
    expect(await caseOfMessage(more.externalId)).toBe(caseId);
    expect((await caseRow(caseId)).status).toBe('open');
  });

  it('a thank-you after we resolved stays on the resolved case and starts no response clock', async () => {
    const { caseId, reply } = await answered('resolved');
    const before = (await api('GET', `/api/v1/cases/${caseId}/sla`)).json();
    const thanks = reply('@KestrelHelp all sorted now, cheers 👍');
    await ingest(thanks);
    expect(await caseOfMessage(thanks.externalId)).toBe(caseId);
    const c = await caseRow(caseId);
    expect(c.status).toBe('resolved');
    expect(c.resolved_at).not.toBeNull();
    expect(await eventTypes(caseId)).not.toContain('reopened');
    const after = (await api('GET', `/api/v1/cases/${caseId}/sla`)).json();
    expect(after.clocks.next_response ?? null).toEqual(before.clocks.next_response ?? null);
    const timers = await db()
      .selectFrom('timers')
      .select('kind')
      .where('ref_id', '=', caseId)
      .where('kind', 'like', 'sla.%')
      .where('status', '=', 'pending')
      .execute();
    expect(timers).toEqual([]);
    // Still broken is not a closing reply: the case reopens as before.
    const broken = reply('Thanks but it is still not working', 2000);
    await ingest(broken);
    expect((await caseRow(caseId)).status).toBe('open');
    expect(await eventTypes(caseId)).toContain('reopened');
  });
});
