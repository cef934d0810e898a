import { describe, expect, it } from 'vitest';
import { aMessage, caseFromMessage } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';

/**
 * A case handed off to another channel is answered there; its survey on resolve goes there too,
 * to the address the handoff gave, though the customer has not written on that channel yet.
 */
describe.each(ENGINES)('the survey of a handed-off case on %s', (engine) => {
  const t = suiteApp(engine, { publicUrl: 'https://desk.example.com' });
  const db = () => t.app.database.db;
  const api = (method: 'POST' | 'PATCH', url: string, payload: unknown) =>
    t.app.http.inject({ method, url, headers: t.auth, payload: payload as never });

  const caseFrom = (m: ReturnType<typeof aMessage>) => caseFromMessage(t, m);
  const surveySent = async (caseId: string) => {
    const rows = await db()
      .selectFrom('outbox')
      .select('payload_json')
      .where('kind', '=', 'send_message')
      .where('payload_json', 'like', `%${caseId}%`)
      .execute();
    return rows
      .map((r) => JSON.parse(r.payload_json))
      .filter((p) => String(p.text).includes('/csat/'));
  };

  it('an email case moved to SMS is surveyed by SMS at the handoff number', async () => {
    const caseId = await caseFrom(
      aMessage({ channel: 'email', visibility: 'private', author: { id: 'jo@example.com' } }),
    );
    const moved = await api('POST', `/api/v1/cases/${caseId}/handoff`, {
      to: 'sms',
      address: '+1 415 555 0188',
    });
    expect(moved.statusCode, moved.body).toBe(200);
    const res = await api('PATCH', `/api/v1/cases/${caseId}`, { status: 'resolved' });
    expect(res.statusCode, res.body).toBe(200);
    const survey = await db()
      .selectFrom('csat_surveys')
      .select('channel')
      .where('case_id', '=', caseId)
      .executeTakeFirst();
    expect(survey?.channel).toBe('sms');
    const sent = await surveySent(caseId);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ channel: 'sms', to: '+14155550188', automated: true });
  });

  it('a public post moved to a call is surveyed by SMS to the number given', async () => {
    const caseId = await caseFrom(aMessage({ channel: 'x', visibility: 'public' }));
    const moved = await api('POST', `/api/v1/cases/${caseId}/handoff`, {
      to: 'voice',
      address: '+1 415 555 0189',
    });
    expect(moved.statusCode, moved.body).toBe(200);
    await api('PATCH', `/api/v1/cases/${caseId}`, { status: 'resolved' });
    const sent = await surveySent(caseId);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ channel: 'sms', to: '+14155550189' });
  });

  it('a public post not handed off still gets none', async () => {
    const caseId = await caseFrom(aMessage({ channel: 'x', visibility: 'public' }));
    await api('PATCH', `/api/v1/cases/${caseId}`, { status: 'resolved' });
    expect(await surveySent(caseId)).toHaveLength(0);
  });
});
