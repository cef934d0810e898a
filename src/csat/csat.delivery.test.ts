import { describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { careWorld, iso } from '../cases/test-world.js';

/**
 * CSAT statistics counted every survey as sent, one whose message never left too (no SMS
 * channel, a provider refusing it): the answer rate then counted customers never asked.
 */
describe.each(ENGINES)('CSAT statistics of surveys never delivered, on %s', (engine) => {
  const t = suiteApp(engine);
  const { api, ingest, caseOf, db } = careWorld(() => t);

  it('counts a survey whose message failed as failed, not sent', async () => {
    const from = Date.now() - 1000;
    const m = aMessage({
      channel: 'sms',
      visibility: 'private',
      author: { id: '+14155550911' },
      sentAt: iso(Date.now()),
    });
    await ingest(m);
    const c = await caseOf(m.externalId);
    const res = await api('PATCH', `/api/v1/cases/${c.id}`, { status: 'resolved' });
    expect(res.statusCode, res.body).toBe(200);
    const stats = async () =>
      (await api('GET', `/api/v1/csat?from=${iso(from)}&to=${iso(Date.now() + 60_000)}`)).json()
        .items;
    // Queued: on its way, counted as sent.
    expect(await stats()).toEqual([
      expect.objectContaining({ channel: 'sms', sent: 1, failed: 0, answered: 0 }),
    ]);
    // No SMS number is configured: the outbox fails it.
    while ((await t.app.outbox.runOnce()) > 0) {}
    const survey = await db()
      .selectFrom('csat_surveys')
      .innerJoin('messages', 'messages.id', 'csat_surveys.message_id')
      .select('messages.status')
      .where('csat_surveys.case_id', '=', c.id)
      .executeTakeFirstOrThrow();
    expect(survey.status).toBe('failed');
    expect(await stats()).toEqual([
      expect.objectContaining({ channel: 'sms', sent: 0, failed: 1, answered: 0 }),
    ]);
  });
});
