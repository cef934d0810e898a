import { describe, expect, it } from 'vitest';
import { asAdmin } from '../../test/builders.js';
import { twilioError } from '../../test/fakes/twilio.js';
import { ENGINES } from '../../test/support/engines.js';
import { smsReplyWorld } from './test-world.js';

const H = 3_600_000;
/** Twilio's answer to a number it cannot send to: a permanent refusal, the message fails. */
const notANumber = () =>
  twilioError(400, 21211, "The 'To' number +1555 is not a valid phone number.");

/**
 * A reply keeps promises and meets response clocks when it is queued; one its provider then
 * refuses for good reached nobody, so the outbox's give-up undoes both.
 */
describe.each(ENGINES)('a reply that is never delivered, on %s', (engine) => {
  const x = smsReplyWorld(engine, 100);
  const { t, db, api, smsCase, followUp, reply, promise, view, sla, drainOutbox } = x;

  it('reopens the promise and the first-response clock, and says why in the history', async () => {
    const caseId = await smsCase();
    const promiseId = await followUp(caseId);
    const due = (await sla(caseId)).clocks.first_response.dueAt;
    x.twilio.script(notANumber());
    const sent = await reply(caseId, 'Engineer booked for Tuesday');
    // Queued: kept and answered, as the desk shows at once.
    expect((await promise(promiseId)).status).toBe('kept');
    expect((await view(caseId)).firstResponseAt).toBe(sent.sentAt);
    const seen: { type: string; data: Record<string, unknown> }[] = [];
    const off = t.app.bus.subscribe((e) => seen.push(e));
    await drainOutbox();
    off();
    const msg = (await view(caseId)).messages.find((m: { id: string }) => m.id === sent.id);
    expect(msg.status).toBe('failed');
    expect(await promise(promiseId)).toMatchObject({
      status: 'open',
      settledAt: null,
      settledHow: null,
    });
    const stats = (await api('GET', '/api/v1/promises/stats')).json().items;
    expect(stats.reduce((n: number, s: { kept: number }) => n + s.kept, 0)).toBe(0);
    const c = await view(caseId);
    expect(c.firstResponseAt).toBeNull();
    expect((await sla(caseId)).clocks.first_response).toMatchObject({
      metAt: null,
      dueAt: due,
      breached: false,
    });
    const failed = c.history.find((h: { type: string }) => h.type === 'reply_failed');
    expect(failed?.data).toMatchObject({
      messageId: sent.id,
      channel: 'sms',
      error: 'bad_request',
      // Twilio's code and what it means, then Twilio's own words.
      why: expect.stringMatching(
        /^Twilio 400\/21211 \(the To number is not a valid phone number\): .*not a valid phone number/,
      ),
      promisesReopened: [promiseId],
    });
    // The failed message says why too, where the agent sees it.
    expect(c.messages.find((m: { id: string }) => m.id === sent.id).failure).toEqual({
      error: 'bad_request',
      why: failed.data.why,
    });
    expect(seen.map((e) => e.type)).toContain('case.updated');
    // The live status says what the history says, so a client need not read the case again.
    expect(seen.find((e) => e.type === 'message.status')?.data).toEqual({
      caseId,
      messageId: sent.id,
      status: 'failed',
      error: 'bad_request',
      why: failed.data.why,
    });
    const timers = await db()
      .selectFrom('timers')
      .select('kind')
      .where('ref_id', '=', promiseId)
      .where('status', '=', 'pending')
      .execute();
    expect(timers.map((x) => x.kind).sort()).toEqual(['promise.due', 'promise.remind']);

    // A reply that goes through keeps it, and answers the customer.
    const again = await reply(caseId, 'Engineer booked for Tuesday 9:00');
    await drainOutbox();
    expect(await promise(promiseId)).toMatchObject({ status: 'kept' });
    expect((await view(caseId)).firstResponseAt).toBe(again.sentAt);
    expect((await sla(caseId)).clocks.first_response.metAt).toBe(again.sentAt);
  });

  it('refuses at once a reply too long for an SMS: nothing kept, met or queued to undo', async () => {
    const caseId = await smsCase();
    const promiseId = await followUp(caseId);
    const before = await view(caseId);
    const r = await api('POST', `/api/v1/cases/${caseId}/replies`, { text: 'a'.repeat(1601) });
    expect(r.statusCode, r.body).toBe(422);
    expect(r.json().error).toMatchObject({
      code: 'too_long',
      message: expect.stringMatching(/^an SMS holds at most 1600 characters.*has 1601/),
      details: { rule: 'sms_length', channel: 'sms', kind: 'bad_request' },
    });
    // The refused text itself is nowhere in the reason.
    expect(r.json().error.message).not.toContain('aaaa');
    // The case as it was: no message, no `replied`, its version, clocks and promise untouched.
    const after = await view(caseId);
    expect(after.version).toBe(before.version);
    expect(after.messages).toEqual(before.messages);
    expect(after.history).toEqual(before.history);
    expect(after.firstResponseAt).toBeNull();
    expect((await sla(caseId)).clocks.first_response.metAt).toBeNull();
    expect((await promise(promiseId)).status).toBe('open');
    const queued = await db()
      .selectFrom('outbox')
      .select('id')
      .where('kind', '=', 'send_message')
      .where('payload_json', 'like', `%${caseId}%`)
      .execute();
    expect(queued).toEqual([]);
  });

  it('lets a later reply that went out keep what the refused one had kept', async () => {
    const caseId = await smsCase();
    const promiseId = await followUp(caseId);
    x.twilio.script(notANumber());
    await reply(caseId, 'Engineer booked');
    // A second reply is queued before the first one is refused.
    await new Promise((r) => setTimeout(r, 5));
    const second = await reply(caseId, 'Engineer booked for Tuesday');
    await drainOutbox();
    expect(await promise(promiseId)).toMatchObject({
      status: 'kept',
      settledAt: second.sentAt,
      settledHow: 'message sent on sms',
    });
    expect((await view(caseId)).firstResponseAt).toBe(second.sentAt);
    expect((await sla(caseId)).clocks.first_response.metAt).toBe(second.sentAt);
  });

  it('breaks a promise whose deadline passed, and a late answer that failed leaves the breach', async () => {
    // Ten hours unanswered: past every built-in first-response target.
    const caseId = await smsCase(10 * H);
    const promiseId = await followUp(caseId, H);
    x.twilio.script(notANumber());
    await reply(caseId, 'Sorry for the wait, the engineer comes Tuesday');
    // As if the provider refused it after the deadline (retries ran out).
    await db()
      .updateTable('promises')
      .set({ due_at: Date.now() - 1000 })
      .where('id', '=', promiseId)
      .execute();
    await drainOutbox();
    expect((await promise(promiseId)).status).toBe('broken');
    const c = await view(caseId);
    expect(c.priority).toBe('urgent');
    expect(c.history.map((h: { type: string }) => h.type)).toEqual(
      expect.arrayContaining(['reply_failed', 'promise_reopened', 'promise_broken', 'escalated']),
    );
    const clock = (await sla(caseId)).clocks.first_response;
    expect(clock).toMatchObject({ metAt: null, breached: true });
    // The breach the late reply found is still recorded, against the deadline it missed.
    await t.app.care.scheduler.tick(Date.now());
    const events = (await sla(caseId)).events;
    expect(events).toContainEqual(
      expect.objectContaining({ clock: 'first_response', kind: 'breached', dueAt: clock.dueAt }),
    );
  });

  it('undoes nothing for a survey that is refused', async () => {
    const caseId = await smsCase();
    await reply(caseId, 'Your line is reset');
    await drainOutbox();
    const answered = (await view(caseId)).firstResponseAt;
    x.twilio.script(notANumber());
    const res = await asAdmin(t, 'PATCH', `/api/v1/cases/${caseId}`, {
      status: 'resolved',
      reason: 'line reset',
    });
    expect(res.statusCode, res.body).toBe(200);
    await drainOutbox();
    const c = await view(caseId);
    expect(c.messages.at(-1).status).toBe('failed');
    expect(c.firstResponseAt).toBe(answered);
    // Failed all the same: the history says so and why, with nothing undone.
    const failed = c.history.filter((h: { type: string }) => h.type === 'reply_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0].data).toMatchObject({ promisesReopened: [], promisesBroken: [] });
    expect(c.messages.at(-1).failure).toBeDefined();
  });
});
