import { describe, expect, it } from 'vitest';
import { deliverMeta } from '../../../test/fakes/channels.js';
import { MetaHarness, whatsappBody } from '../../../test/fakes/meta-harness.js';
import { ENGINES } from '../../../test/support/engines.js';
import { parseMetaWebhook } from './meta.parse.js';

const PHONE_ID = '106540352242922';

/** A WhatsApp Cloud API delivery of these messages from one customer (documented shape). */
const delivery = (phoneId: string, messages: Record<string, unknown>[]) =>
  whatsappBody(
    phoneId,
    {
      contacts: [{ profile: { name: 'Maria Alvarez' }, wa_id: '14155550123' }],
      messages: messages.map((m, i) => ({
        from: '14155550123',
        timestamp: String(Math.floor(Date.now() / 1000) - 60 + i),
        ...m,
      })),
    },
    { display_phone_number: '15550100000' },
  );

const contactCard = {
  id: 'wamid.CARD',
  type: 'contacts',
  contacts: [
    {
      name: { formatted_name: 'Landlord Joe', first_name: 'Joe' },
      phones: [{ phone: '+1 415 555 0199', wa_id: '14155550199', type: 'CELL' }],
    },
  ],
};
const unsupported = {
  id: 'wamid.UNSUP',
  type: 'unsupported',
  errors: [{ code: 131051, title: 'Message type unknown', message: 'Message type unknown' }],
};
const bareLocation = {
  id: 'wamid.PIN',
  type: 'location',
  location: { latitude: 30.2672, longitude: -97.7431 },
};

/*
 * A WhatsApp message the desk cannot show (a contact card, a type WhatsApp itself calls
 * unsupported) still reaches the case, with a text saying what it was; a reaction or a system
 * notice is no message to answer and stays out.
 */
describe('WhatsApp messages the desk cannot show', () => {
  it('keeps them with a placeholder text, and lists them for the log without their text', () => {
    const d = parseMetaWebhook(
      delivery(PHONE_ID, [
        contactCard,
        unsupported,
        bareLocation,
        { id: 'wamid.R', type: 'reaction', reaction: { message_id: 'wamid.X', emoji: '👍' } },
      ]),
      { channelId: 'c', whatsappPhoneNumberId: PHONE_ID },
    );
    expect(d.messages.map((m) => [m.message.externalId, m.message.text])).toEqual([
      ['wamid.CARD', '[contact card: Landlord Joe, +1 415 555 0199]'],
      [
        'wamid.UNSUP',
        '[a WhatsApp unsupported message the desk cannot show (WhatsApp: Message type unknown): open WhatsApp to see it]',
      ],
      ['wamid.PIN', '[location: 30.2672,-97.7431]'],
    ]);
    expect(d.ignored.map((i) => i.what)).toEqual(['whatsapp reaction']);
    expect(d.placeholders?.map((p) => p.what)).toEqual([
      'whatsapp contacts wamid.CARD',
      'whatsapp unsupported wamid.UNSUP',
    ]);
    expect(JSON.stringify(d.placeholders)).not.toMatch(/Joe|555/);
  });
});

describe.each(ENGINES)('a WhatsApp contact card reaches its case, on %s', (engine) => {
  const h = new MetaHarness().inSuite(engine);

  it('accepts it as a message of the customer', async () => {
    const res = await deliverMeta(
      h.t,
      h.ch,
      JSON.stringify(delivery(h.fake.phoneId, [contactCard])),
    );
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ accepted: 1, ignored: 0 });
    await h.t.app.pipeline.drain();
    const m = await h.msgBy('wamid.CARD');
    expect(m).toMatchObject({
      author_address: '+14155550123',
      text: '[contact card: Landlord Joe, +1 415 555 0199]',
    });
    expect(m.case_id).not.toBeNull();
  });
});
