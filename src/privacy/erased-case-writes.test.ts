import { describe, expect, it } from 'vitest';
import { aMessage, sendRowOf } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { careWorld, iso, smsReplyWorld } from '../cases/test-world.js';
import { newId } from '../platform/ids.js';

const NAME = 'Zelda Quartzfield';
const EMAIL = 'zelda.q@example.com';
const REFUSAL = 'this customer was erased; it cannot take new data';

/**
 * An erased customer's cases take no new personal data, whatever route writes it (a reply, a
 * macro, a note, a promise, a survey and its answer, a handoff), nothing is ever queued to the
 * "[erased]" placeholder, a reply whose delivery the erasure ended shows failed, a re-run ends
 * what was left pending, and the customer's name and addresses go from problems' texts too.
 */
describe.each(ENGINES)('an erased customer’s cases take no new data on %s', (engine) => {
  const w = smsReplyWorld(engine, 7100);
  const { api, db } = w;
  const { ingest, idsOf } = careWorld(() => w.t);

  let run = 0;
  /** C1 (e-mail case K1) with C2 (SMS case K2) merged into them, a reply to K2 still queued. */
  async function erasedPair() {
    // Each run a person of their own (an erased identity writing again is a new customer, but
    // the desk may match them by name).
    const PHONE = `+1415555014${++run}`;
    const mail = aMessage({
      channel: 'email',
      visibility: 'private',
      author: { id: `${run}.${EMAIL}`, name: NAME },
      text: 'no signal at home since Monday',
    });
    const sms = aMessage({
      channel: 'sms',
      visibility: 'private',
      author: { id: PHONE },
      text: 'still no signal',
    });
    await ingest(mail, sms);
    const k1 = await idsOf(mail.externalId);
    const k2 = await idsOf(sms.externalId);
    const merged = await api('POST', `/api/v1/customers/${k1.customer_id}/merge`, {
      customerId: k2.customer_id,
      reason: 'same person',
    });
    expect(merged.statusCode, merged.body).toBe(201);
    // Queued on the configured SMS channel, not yet delivered when the erasure comes.
    const queued = await w.reply(k2.case_id!, 'An engineer is booked for tomorrow');
    const problem = await api('POST', '/api/v1/problems', {
      caseId: k1.case_id,
      title: `${NAME} outage at 12 Elm St`,
      topic: 'network',
    });
    expect(problem.statusCode, problem.body).toBe(201);
    const linked = await api('POST', `/api/v1/problems/${problem.json().id}/links`, {
      link: [k2.case_id],
    });
    expect(linked.statusCode, linked.body).toBe(200);
    const update = await api('POST', `/api/v1/problems/${problem.json().id}/status`, {
      body: `Called Zelda on +1 (415) 555-014${run} and mailed ${run}.${EMAIL.toUpperCase()}.`,
    });
    expect(update.statusCode, update.body).toBe(200);
    const erased = await api('POST', `/api/v1/customers/${k1.customer_id}/erase`, {
      confirm: true,
    });
    expect(erased.statusCode, erased.body).toBe(200);
    return {
      customerId: k1.customer_id!,
      k1: k1.case_id!,
      k2: k2.case_id!,
      queued: queued.id,
      problemId: problem.json().id as string,
    };
  }

  const expectRefused = (res: { statusCode: number; body: string; json(): unknown }) => {
    expect(res.statusCode, res.body).toBe(422);
    expect((res.json() as { error: unknown }).error).toMatchObject({
      code: 'invalid_transition',
      message: REFUSAL,
    });
  };
  const addressedToErased = async () =>
    (
      await db()
        .selectFrom('outbox')
        .select('id')
        .where('payload_json', 'like', '%"to":"[erased]"%')
        .where('status', '=', 'pending')
        .execute()
    ).length;

  it('refuses replies, notes, promises, note macros and survey answers; resolves without a survey', async () => {
    const { customerId, k1, k2 } = await erasedPair();
    const outboxBefore = (await db().selectFrom('outbox').select('id').execute()).length;

    expectRefused(await api('POST', `/api/v1/cases/${k2}/replies`, { text: 'hello again' }));
    expectRefused(await api('POST', `/api/v1/cases/${k1}/notes`, { body: 'she called back' }));
    expectRefused(
      await api('POST', `/api/v1/cases/${k1}/promises`, {
        kind: 'callback',
        description: 'Call her back',
        dueAt: iso(Date.now() + 3_600_000),
        address: '+14155550143',
      }),
    );
    expectRefused(
      await api('POST', `/api/v1/cases/${k2}/handoff`, { to: 'sms', address: '+14155550144' }),
    );
    const macro = await api('POST', '/api/v1/macros', {
      name: 'note and pend',
      actions: [{ type: 'note', body: 'Spoke to {{customer.name}}' }],
    });
    expect(macro.statusCode, macro.body).toBe(201);
    expectRefused(await api('POST', `/api/v1/cases/${k1}/macros/${macro.json().id}`, {}));
    // A reason is free text too; a status change without one goes through.
    expectRefused(
      await api('PATCH', `/api/v1/cases/${k2}`, { status: 'resolved', reason: 'Zelda is happy' }),
    );
    const resolved = await api('PATCH', `/api/v1/cases/${k2}`, { status: 'resolved' });
    expect(resolved.statusCode, resolved.body).toBe(200);
    expect(resolved.json().status).toBe('resolved');
    const surveys = await db()
      .selectFrom('csat_surveys')
      .select('id')
      .where('case_id', 'in', [k1, k2])
      .execute();
    expect(surveys).toEqual([]);
    expect((await db().selectFrom('outbox').select('id').execute()).length).toBe(outboxBefore);
    const notes = await db().selectFrom('notes').select('id').where('case_id', '=', k1).execute();
    expect(notes).toEqual([]);

    // A survey left from before (sent, unanswered) takes no comment now.
    const token = `left-over-${newId()}`;
    await db()
      .insertInto('csat_surveys')
      .values({
        id: newId(),
        workspace_id: w.t.app.workspace.workspaceId,
        case_id: k2,
        customer_id: customerId,
        channel: 'sms',
        agent_id: null,
        token,
        sent_at: Date.now(),
        rating: null,
        comment: null,
        answered_at: null,
      })
      .execute();
    const answer = await w.t.app.http.inject({
      method: 'POST',
      url: `/api/v1/csat/${token}`,
      payload: { rating: 5, comment: `I am ${NAME}` },
    });
    expectRefused(answer);
    const page = await w.t.app.http.inject({
      method: 'POST',
      url: `/csat/${token}`,
      payload: 'rating=4&comment=hi',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(page.statusCode).toBe(404);
    const stored = await db()
      .selectFrom('csat_surveys')
      .select(['comment', 'rating'])
      .where('token', '=', token)
      .executeTakeFirstOrThrow();
    expect(stored).toEqual({ comment: null, rating: null });
    expect(await addressedToErased()).toBe(0);
  });

  it('shows a reply the erasure stopped as failed, and a re-run ends what was left pending', async () => {
    const { customerId, k2, queued } = await erasedPair();
    const view = await w.view(k2);
    const stopped = view.messages.find((m: { id: string }) => m.id === queued);
    expect(stopped.status).toBe('failed');
    expect(stopped.failure).toEqual({
      error: 'customer_erased',
      why: 'customer erased: nothing more is sent to them',
    });
    expect((await sendRowOf(db(), queued)).status).toBe('failed');
    // Nothing the SMS sender would retry.
    await w.drainOutbox();
    expect(w.twilio.sent.filter((s) => s.body.includes('engineer'))).toEqual([]);

    // A delivery written by a path that did not refuse (before this fix): pending, to "[erased]".
    const ws = w.t.app.workspace.workspaceId;
    const messageId = newId();
    const now = Date.now();
    await db()
      .insertInto('messages')
      .values({
        id: messageId,
        workspace_id: ws,
        case_id: k2,
        customer_id: customerId,
        channel: 'sms',
        channel_id: null,
        external_id: `tl-${messageId}`,
        direction: 'out',
        visibility: 'private',
        author_address: 'user:x',
        author_name: 'Agent',
        text: 'hello again',
        sent_at: now,
        received_at: now,
        in_reply_to: null,
        conversation_id: null,
        language: null,
        attachments_json: '[]',
        triage_json: null,
        raw_json: null,
        status: 'queued',
        user_id: null,
        deleted_at: null,
        unsolicited: 0,
      })
      .execute();
    await db()
      .insertInto('outbox')
      .values({
        id: newId(),
        workspace_id: ws,
        kind: 'send_message',
        idempotency_key: `send_message:${messageId}`,
        payload_json: JSON.stringify({ messageId, caseId: k2, channel: 'sms', to: '[erased]' }),
        status: 'pending',
        attempts: 0,
        next_attempt_at: now + 3_600_000,
        last_error: null,
        created_at: now,
        delivered_at: null,
      })
      .execute();
    const again = await api('POST', `/api/v1/customers/${customerId}/erase`, { confirm: true });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().cases).toBe(2);
    expect(again.json().outbox).toBeGreaterThanOrEqual(1);
    expect(await addressedToErased()).toBe(0);
    const after = (await w.view(k2)).messages.find((m: { id: string }) => m.id === messageId);
    expect(after).toMatchObject({ status: 'failed', text: '[erased]' });
    expect(after.failure.error).toBe('customer_erased');
  });

  it('masks their name and addresses in the titles and updates of their problems', async () => {
    const { customerId, problemId } = await erasedPair();
    const p = await api('GET', `/api/v1/problems/${problemId}`);
    expect(p.statusCode, p.body).toBe(200);
    expect(p.json().title).toBe('[erased] outage at 12 Elm St');
    const bodies = p.json().updates.map((u: { body: string }) => u.body);
    expect(bodies).toContain('Called [erased] on [erased] and mailed [erased].');
    for (const secret of ['Zelda', 'Quartzfield', '555-014', EMAIL])
      expect(p.body.toLowerCase(), secret).not.toContain(secret.toLowerCase());
    const exported = await api('GET', `/api/v1/customers/${customerId}/export`);
    expect(exported.statusCode, exported.body).toBe(200);
    expect(exported.json().problemLinks.length).toBeGreaterThan(0);
    expect(exported.body).not.toMatch(/Zelda|Quartzfield/);
  });
});
