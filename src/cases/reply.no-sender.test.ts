import { describe, expect, it } from 'vitest';
import { aMessage, sendRowOf } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { replyToCase } from './case.reply.js';
import { careWorld } from './test-world.js';

/**
 * A reply on a kind of channel the desk has no sender for (voice always; `api` and `webchat`
 * without their outbound URL) could never go: it is refused at once (422 `not_configured`),
 * nothing stored or queued and no first response counted. It was accepted (201), counted as the
 * first response, and retried as `temporary` by the outbox for 24 hours.
 */
describe.each(ENGINES)('a reply on a channel kind the desk cannot send on, on %s', (engine) => {
  const t = suiteApp(engine);
  const { db, api, openCase } = careWorld(() => t);
  let n = 0;
  const phone = () => `+1415556${String(++n).padStart(4, '0')}`;
  const voiceCase = () =>
    openCase(
      aMessage({
        channel: 'voice',
        visibility: 'private',
        author: { id: phone() },
        text: 'Call transcript: my line has no signal since this morning',
      }),
    );
  const outgoing = (caseId: string) =>
    db()
      .selectFrom('messages')
      .select('id')
      .where('case_id', '=', caseId)
      .where('direction', '=', 'out')
      .execute();
  const row = (caseId: string) =>
    db()
      .selectFrom('cases')
      .select(['first_response_at', 'version', 'status'])
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow();

  it("voice: 422 not_configured naming the kind and the customer's other identities, nothing written", async () => {
    const caseId = await voiceCase();
    const { customer_id } = await db()
      .selectFrom('cases')
      .select('customer_id')
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow();
    const given = await api('POST', `/api/v1/customers/${customer_id}/identities`, {
      channel: 'email',
      address: `caller-${n}@example.org`,
      verified: false,
    });
    expect(given.statusCode, given.body).toBe(201);
    const before = await row(caseId);
    const r = await api('POST', `/api/v1/cases/${caseId}/replies`, { text: 'On it' });
    expect(r.statusCode, r.body).toBe(422);
    expect(r.json().error).toMatchObject({
      code: 'not_configured',
      details: { rule: 'no_sender', channel: 'voice', kind: 'not_configured' },
    });
    expect(r.json().error.message).toContain('cannot send on voice');
    expect(r.json().error.message).toContain(`email caller-${n}@example.org`);
    expect(await outgoing(caseId)).toEqual([]);
    expect(await row(caseId)).toEqual(before);
    expect(before.first_response_at).toBeNull();
  });

  it('api without an outbound URL: 422 not_configured, no other identity known', async () => {
    const caseId = await openCase(aMessage({ channel: 'api', visibility: 'private' }));
    const r = await api('POST', `/api/v1/cases/${caseId}/replies`, { text: 'On it' });
    expect(r.statusCode, r.body).toBe(422);
    expect(r.json().error).toMatchObject({ code: 'not_configured', details: { channel: 'api' } });
    expect(r.json().error.message).toContain('No other identity of this customer is known');
    expect(await outgoing(caseId)).toEqual([]);
    expect((await row(caseId)).first_response_at).toBeNull();
  });

  it('a macro replying on a voice case: 422, none of its actions applied', async () => {
    const caseId = await voiceCase();
    const before = await row(caseId);
    const macro = await api('POST', '/api/v1/macros', {
      name: `answer the caller ${n}`,
      actions: [
        { type: 'reply', text: 'We reset your line.' },
        { type: 'note', body: 'applied by macro' },
      ],
    });
    expect(macro.statusCode, macro.body).toBe(201);
    const r = await api('POST', `/api/v1/cases/${caseId}/macros/${macro.json().id}`, {});
    expect(r.statusCode, r.body).toBe(422);
    expect(r.json().error.code).toBe('not_configured');
    expect(await row(caseId)).toEqual(before);
    expect(await outgoing(caseId)).toEqual([]);
  });

  it('a handoff to voice with a message: 422 and no identity; without one it moves', async () => {
    const caseId = await openCase(aMessage({ channel: 'api', visibility: 'private' }));
    const address = phone();
    const r = await api('POST', `/api/v1/cases/${caseId}/handoff`, {
      to: 'voice',
      address,
      text: 'We will call you.',
    });
    expect(r.statusCode, r.body).toBe(422);
    expect(r.json().error.code).toBe('not_configured');
    const ids = await db()
      .selectFrom('identities')
      .select('id')
      .where('address', '=', address)
      .execute();
    expect(ids).toEqual([]);
    const ok = await api('POST', `/api/v1/cases/${caseId}/handoff`, { to: 'voice', address });
    expect(ok.statusCode, ok.body).toBe(200);
  });

  it('the outbox fails a queued one at once as not_configured, and undoes its first response', async () => {
    const caseId = await voiceCase();
    const actor = {
      type: 'token',
      id: 'test',
      name: 'Test',
      workspaceId: t.app.workspace.workspaceId,
    };
    // Queued without the route's check: as by a release before it, or another node's.
    const msg = await replyToCase(db(), actor as never, caseId, { text: 'On it' }, Date.now());
    expect((await row(caseId)).first_response_at).not.toBeNull();
    await t.app.outbox.runOnce();
    const sent = await sendRowOf(db(), msg.id);
    expect(sent).toMatchObject({ status: 'failed', attempts: 1 });
    expect(sent.last_error).toMatch(/^not_configured: no sender is configured for channel voice/);
    expect((await row(caseId)).first_response_at).toBeNull();
  });
});
