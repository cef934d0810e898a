import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { smsReplyWorld } from './test-world.js';

/**
 * A handoff or a macro sends a reply as the reply route does, and the channel's rules refuse it
 * as they refuse the route's (422, nothing written): a macro or handoff whose reply was queued
 * and then failed by the outbox left its other actions applied around a reply that never went.
 */
describe.each(ENGINES)('a handoff or macro reply the channel refuses, on %s', (engine) => {
  const x = smsReplyWorld(engine, 500);
  const { db, api, smsCase, view } = x;
  const tooLong = 'a'.repeat(1601);

  const outgoing = async (caseId: string) =>
    db()
      .selectFrom('messages')
      .select('id')
      .where('case_id', '=', caseId)
      .where('direction', '=', 'out')
      .execute();

  it('a macro whose SMS reply is too long: 422 too_long, none of its actions applied', async () => {
    const caseId = await smsCase();
    const before = await view(caseId);
    const macro = await api('POST', '/api/v1/macros', {
      name: 'long answer and wait',
      actions: [
        { type: 'reply', text: tooLong },
        { type: 'status', status: 'pending', statusReason: 'customer' },
        { type: 'note', body: 'applied by macro' },
      ],
    });
    expect(macro.statusCode, macro.body).toBe(201);
    const r = await api('POST', `/api/v1/cases/${caseId}/macros/${macro.json().id}`, {});
    expect(r.statusCode, r.body).toBe(422);
    expect(r.json().error).toMatchObject({
      code: 'too_long',
      details: { rule: 'sms_length', channel: 'sms' },
    });
    const after = await view(caseId);
    expect(after).toMatchObject({ status: before.status, version: before.version });
    expect(after.notes).toEqual([]);
    expect(await outgoing(caseId)).toEqual([]);
  });

  it('a handoff to SMS whose first message is too long: 422, the case and identities unchanged', async () => {
    const caseId = await smsCase();
    const before = await view(caseId);
    const r = await api('POST', `/api/v1/cases/${caseId}/handoff`, {
      to: 'sms',
      address: '+14155550999',
      text: tooLong,
    });
    expect(r.statusCode, r.body).toBe(422);
    expect(r.json().error).toMatchObject({ code: 'too_long', details: { rule: 'sms_length' } });
    const after = await view(caseId);
    expect(after.version).toBe(before.version);
    expect(after.history).toEqual(before.history);
    expect(await outgoing(caseId)).toEqual([]);
    const given = await db()
      .selectFrom('identities')
      .select('id')
      .where('address', '=', '+14155550999')
      .execute();
    expect(given).toEqual([]);
    // The same handoff with a message that fits goes through.
    const ok = await api('POST', `/api/v1/cases/${caseId}/handoff`, {
      to: 'sms',
      address: '+14155550999',
      text: 'We will text you here from now on.',
    });
    expect(ok.statusCode, ok.body).toBe(200);
  });
});
