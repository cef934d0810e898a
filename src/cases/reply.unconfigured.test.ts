import { describe, expect, it } from 'vitest';
import { aMessage, sendRowOf } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { replyToCase } from './case.reply.js';
import { careWorld } from './test-world.js';

/**
 * A reply on a channel kind the desk has no channel record for (an SMS customer, no number
 * configured; an e-mail one, no mailbox) could never go: it is refused up front (422
 * `not_configured`), as for voice or `api` without an outbound URL, and a macro holding it
 * applies none of its actions. It was accepted (201), counted as the first response, failed by
 * the outbox, and a macro resolved the case meanwhile. One queued anyway (an older release,
 * another node) fails at once, and every failed message, the survey too, gets its history entry.
 */
describe.each(ENGINES)('a reply on a channel the desk has not configured, on %s', (engine) => {
  const t = suiteApp(engine);
  const { db, api, openCase } = careWorld(() => t);
  let n = 0;
  const addressOf = {
    sms: () => `+1415557${String(++n).padStart(4, '0')}`,
    email: () => `unconfigured-${++n}@example.org`,
  };
  const caseOn = (channel: 'sms' | 'email') =>
    openCase(aMessage({ channel, visibility: 'private', author: { id: addressOf[channel]() } }));
  const row = (caseId: string) =>
    db()
      .selectFrom('cases')
      .select(['first_response_at', 'status', 'version'])
      .where('id', '=', caseId)
      .executeTakeFirstOrThrow();
  const outgoing = (caseId: string) =>
    db()
      .selectFrom('messages')
      .select(['id', 'status'])
      .where('case_id', '=', caseId)
      .where('direction', '=', 'out')
      .execute();

  it.each(['sms', 'email'] as const)(
    '%s: 422 not_configured, nothing stored or queued',
    async (channel) => {
      const caseId = await caseOn(channel);
      const r = await api('POST', `/api/v1/cases/${caseId}/replies`, { text: 'On it' });
      expect(r.statusCode, r.body).toBe(422);
      expect(r.json().error).toMatchObject({
        code: 'not_configured',
        details: { rule: 'no_sender', channel, kind: 'not_configured' },
      });
      expect(r.json().error.message).toContain(`cannot send on ${channel}`);
      expect(await outgoing(caseId)).toEqual([]);
      expect((await row(caseId)).first_response_at).toBeNull();
    },
  );

  it('a macro replying with a canned reply and resolving: 422, none of it applied', async () => {
    const caseId = await caseOn('email');
    const canned = await api('POST', '/api/v1/canned-replies', {
      name: `fixed ${n}`,
      body: 'Your line is fixed.',
    });
    expect(canned.statusCode, canned.body).toBe(201);
    const macro = await api('POST', '/api/v1/macros', {
      name: `answer and resolve ${n}`,
      actions: [
        { type: 'reply', cannedReplyId: canned.json().id },
        { type: 'status', status: 'resolved' },
      ],
    });
    expect(macro.statusCode, macro.body).toBe(201);
    const before = await row(caseId);
    const r = await api('POST', `/api/v1/cases/${caseId}/macros/${macro.json().id}`, {});
    expect(r.statusCode, r.body).toBe(422);
    expect(r.json().error.code).toBe('not_configured');
    expect(await row(caseId)).toEqual(before);
    expect(before.status).not.toBe('resolved');
    expect(await outgoing(caseId)).toEqual([]);
  });

  it('queued anyway: reply and survey fail at once, each with its reply_failed entry', async () => {
    const caseId = await caseOn('email');
    const actor = {
      type: 'token',
      id: 'test',
      name: 'Test',
      workspaceId: t.app.workspace.workspaceId,
    };
    // Queued without the route's check: as by a release before it, or another node's.
    const reply = await replyToCase(db(), actor as never, caseId, { text: 'On it' }, Date.now());
    const resolved = await api('PATCH', `/api/v1/cases/${caseId}`, { status: 'resolved' });
    expect(resolved.statusCode, resolved.body).toBe(200);
    const out = await outgoing(caseId);
    expect(out).toHaveLength(2);
    await t.app.outbox.runOnce();
    for (const m of out) {
      const sent = await sendRowOf(db(), m.id);
      expect(sent).toMatchObject({ status: 'failed', attempts: 1 });
      expect(sent.last_error).toMatch(/^not_configured: /);
    }
    const history = await db()
      .selectFrom('case_events')
      .select('data_json')
      .where('case_id', '=', caseId)
      .where('type', '=', 'reply_failed')
      .execute();
    expect(history.map((h) => JSON.parse(h.data_json).messageId).sort()).toEqual(
      out.map((m) => m.id).sort(),
    );
    const view = (await api('GET', `/api/v1/cases/${caseId}`)).json();
    const shown = view.messages.filter((m: { direction: string }) => m.direction === 'out');
    expect(shown).toHaveLength(2);
    for (const m of shown) {
      expect(m.status, m.text).toBe('failed');
      expect(m.failure, m.text).toMatchObject({ error: 'not_configured' });
      expect(m.failure.why, m.text).toContain('no email channel is configured');
    }
    expect(shown.map((m: { id: string }) => m.id)).toContain(reply.id);
  });
});
