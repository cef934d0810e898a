import { describe, expect, it } from 'vitest';
import { deliverMeta } from '../../../test/fakes/channels.js';
import { FBA, MetaHarness, whatsappBody } from '../../../test/fakes/meta-harness.js';
import { hasSharedData } from '../../../test/fakes/shared-data.js';
import { ENGINES } from '../../../test/support/engines.js';

/*
 * A reply that fails must say why where the agent looks (the case's history and the message):
 * the desk's own refusal (the window is closed, and what else reaches the customer) and the
 * provider's reason in a status webhook (WhatsApp `errors[]`).
 */
describe.runIf(hasSharedData(FBA)).each(ENGINES)('why a Meta reply failed, on %s', (engine) => {
  const h = new MetaHarness().inSuite(engine);
  const { db, reply, messengerFrom, msgBy } = h;

  const view = async (caseId: string) =>
    (
      await h.t.app.http.inject({
        method: 'GET',
        url: `/api/v1/cases/${caseId}`,
        headers: h.t.auth,
      })
    ).json();
  const failure = async (caseId: string, messageId: string) => {
    const c = await view(caseId);
    const entry = c.history.find(
      (e: { type: string; data: { messageId?: string } }) =>
        e.type === 'reply_failed' && e.data.messageId === messageId,
    );
    const msg = c.messages.find((m: { id: string }) => m.id === messageId);
    return { entry: entry?.data, msg };
  };

  it('shows the Messenger window that closed while the reply waited, and the way out', async () => {
    const [who, caseId] = await messengerFrom(h.ch, Date.now() - 23 * 3_600_000);
    // Open when the agent sent it; closed by the time the outbox sends it (a retry's wait, a
    // backlog): the send checks the window again.
    const id = await reply(caseId, 'Late reply on messenger');
    await db()
      .updateTable('messages')
      .set({ sent_at: Date.now() - 25 * 3_600_000 })
      .where('external_id', '=', `m_in_${who}`)
      .execute();
    await h.t.app.outbox.runOnce();
    const { entry, msg } = await failure(caseId, id);
    const why =
      '[meta_24h] the 24-hour messaging window is closed (the customer last wrote 25 h ago); enable the human-agent tag to answer within 7 days. No other identity of this customer is known.';
    expect(entry).toMatchObject({ error: 'permission_missing', why });
    expect(msg).toMatchObject({ status: 'failed', failure: { error: 'permission_missing', why } });
  });

  it('refuses a reply past the window at once, naming where else the customer is reached', async () => {
    const [who, caseId] = await messengerFrom(h.ch, Date.now() - 25 * 3_600_000);
    const { customer_id } = await msgBy(`m_in_${who}`);
    const added = await h.t.app.http.inject({
      method: 'POST',
      url: `/api/v1/customers/${customer_id}/identities`,
      headers: h.t.auth,
      payload: { channel: 'email', address: `late-${who}@example.org`, verified: true },
    });
    expect(added.statusCode, added.body).toBe(201);
    const error = await h.refused(caseId, 'Late reply on messenger');
    expect(error).toMatchObject({ code: 'window_closed', details: { rule: 'meta_24h' } });
    expect(error.message).toContain(
      `The customer can also be reached on: email late-${who}@example.org.`,
    );
    // That way is open once a mailbox sends (without one it is refused up front too): the same
    // reply on the e-mail identity is taken.
    const mailbox = await h.t.app.http.inject({
      method: 'POST',
      url: '/api/v1/channels',
      headers: h.t.auth,
      payload: {
        kind: 'email',
        name: 'Test mailbox',
        config: { host: '127.0.0.1', port: 9, secure: false, from: 'care@desk.example' },
        secrets: {},
      },
    });
    expect(mailbox.statusCode, mailbox.body).toBe(201);
    const mail = await h.t.app.http.inject({
      method: 'POST',
      url: `/api/v1/cases/${caseId}/replies`,
      headers: h.t.auth,
      payload: { text: 'Late reply by e-mail', channel: 'email' },
    });
    expect(mail.statusCode, mail.body).toBe(201);
  });

  it("shows WhatsApp's code and title from a failed status", async () => {
    const waIn = (from: string, id: string) =>
      JSON.stringify(
        whatsappBody(h.fake.phoneId, {
          contacts: [{ profile: { name: 'Maria' }, wa_id: from }],
          messages: [
            {
              from,
              id,
              timestamp: String(Math.floor(Date.now() / 1000) - 60),
              type: 'text',
              text: { body: 'no signal' },
            },
          ],
        }),
      );
    expect((await deliverMeta(h.t, h.ch, waIn('14155550177', 'wamid.WHY1'))).statusCode).toBe(200);
    await h.t.app.pipeline.drain();
    const caseId = (await msgBy('wamid.WHY1')).case_id!;
    const id = await reply(caseId, 'We are on it.');
    await h.t.app.outbox.runOnce();
    const { external_id } = await db()
      .selectFrom('messages')
      .select('external_id')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    const failed = JSON.stringify(
      whatsappBody(h.fake.phoneId, {
        statuses: [
          {
            id: external_id,
            status: 'failed',
            timestamp: String(Math.floor(Date.now() / 1000)),
            recipient_id: '14155550177',
            errors: [
              {
                code: 132000,
                title: 'Number of parameters does not match the expected number of params',
                message: 'Number of parameters does not match the expected number of params',
                error_data: {
                  details:
                    'body: number of localizable_params (2) does not match the expected number of params (1)',
                },
              },
            ],
          },
        ],
      }),
    );
    const seen: { type: string; data: Record<string, unknown> }[] = [];
    const off = h.t.app.bus.subscribe((e) => seen.push(e));
    expect((await deliverMeta(h.t, h.ch, failed)).statusCode).toBe(200);
    off();
    const { entry, msg } = await failure(caseId, id);
    const why =
      'WhatsApp error 132000: Number of parameters does not match the expected number of params: body: number of localizable_params (2) does not match the expected number of params (1)';
    expect(entry).toMatchObject({ error: 'failed_after_sent', providerCode: '132000', why });
    expect(msg).toMatchObject({ status: 'failed', failure: { providerCode: '132000', why } });
    // Live too, with the provider's code and reason the history has.
    expect(seen.find((e) => e.type === 'message.status')?.data).toEqual({
      caseId,
      messageId: id,
      status: 'failed',
      error: 'failed_after_sent',
      why,
      providerCode: '132000',
    });
  });
});
