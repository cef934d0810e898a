import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { smsReplyWorld } from './test-world.js';

/**
 * A reply the provider accepted and then failed (Twilio's status callback `failed`) reached
 * nobody either: the mark undoes what the reply settled, as the outbox's give-up does.
 */
describe.each(ENGINES)('a reply its provider fails after sending it, on %s', (engine) => {
  const x = smsReplyWorld(engine, 300);
  const { t, api, smsCase, followUp, reply, promise, view, sla, drainOutbox } = x;
  /** Twilio's signed status callback for the last message it was sent. */
  const statusCallback = (status: string) =>
    x.twilio.statusCallback(t.app, x.channel, x.twilio.sent.at(-1)!.sid, status, '30003');

  it('reopens the kept promise and the first response', async () => {
    const caseId = await smsCase();
    const promiseId = await followUp(caseId);
    const sent = await reply(caseId, 'Booked for Tuesday');
    await drainOutbox();
    expect((await promise(promiseId)).status).toBe('kept');
    expect((await view(caseId)).firstResponseAt).not.toBeNull();

    const seen: { type: string }[] = [];
    const off = t.app.bus.subscribe((e) => seen.push(e));
    expect((await statusCallback('failed')).statusCode).toBe(200);
    off();
    const c = await view(caseId);
    expect(c.messages.find((m: { id: string }) => m.id === sent.id).status).toBe('failed');
    expect(await promise(promiseId)).toMatchObject({ status: 'open', settledAt: null });
    expect(c.firstResponseAt).toBeNull();
    expect((await sla(caseId)).clocks.first_response).toMatchObject({ metAt: null });
    const failed = c.history.filter((h: { type: string }) => h.type === 'reply_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].data).toMatchObject({
      messageId: sent.id,
      promisesReopened: [promiseId],
      error: 'failed_after_sent',
      // Twilio's ErrorCode, and what it means for the agent.
      providerCode: '30003',
      why: 'Twilio failed (error 30003): the handset is unreachable (off, or out of coverage)',
    });
    expect(c.messages.find((m: { id: string }) => m.id === sent.id).failure).toEqual({
      error: 'failed_after_sent',
      providerCode: '30003',
      why: failed[0].data.why,
    });
    expect(seen.map((e) => e.type)).toContain('case.updated');

    // `undelivered` after `failed` moves nothing: undone once.
    expect((await statusCallback('undelivered')).statusCode).toBe(200);
    const again = (await view(caseId)).history.filter(
      (h: { type: string }) => h.type === 'reply_failed',
    );
    expect(again).toHaveLength(1);
  });

  it('undoes nothing for a survey failed later', async () => {
    const caseId = await smsCase();
    await api('POST', `/api/v1/cases/${caseId}/replies`, { text: 'Your line is reset' });
    await drainOutbox();
    const answered = (await view(caseId)).firstResponseAt;
    expect(answered).not.toBeNull();
    const res = await api('PATCH', `/api/v1/cases/${caseId}`, {
      status: 'resolved',
      reason: 'line reset',
    });
    expect(res.statusCode, res.body).toBe(200);
    await drainOutbox();
    expect((await statusCallback('undelivered')).statusCode).toBe(200);
    const c = await view(caseId);
    expect(c.messages.at(-1).status).toBe('failed');
    expect(c.firstResponseAt).toBe(answered);
    // Said in the history like every failed message (README), but nothing is undone for it.
    const failed = c.history.filter((h: { type: string }) => h.type === 'reply_failed');
    expect(failed).toHaveLength(1);
    expect(c.messages.at(-1).failure).toBeTruthy();
  });
});
