import { beforeAll, describe, expect, it } from 'vitest';
import { createChannel, deliverMeta } from '../../../test/fakes/channels.js';
import { MetaHarness, whatsappBody } from '../../../test/fakes/meta-harness.js';
import { ENGINES } from '../../../test/support/engines.js';
import { ConnectorError } from '../connector-error.js';
import { templateParameter } from './meta.template.js';

describe('the agent text as a WhatsApp template parameter', () => {
  it('puts it on one line without tabs and with at most 4 spaces in a row', () => {
    expect(templateParameter('Late reply on whatsapp\nsecond line', 'followup')).toBe(
      'Late reply on whatsapp second line',
    );
    expect(
      templateParameter('Hi Ana,\r\n\r\n  Your line is fixed.\tRef:      42 \u2028Bye ', 'f'),
    ).toBe('Hi Ana, Your line is fixed. Ref:    42 Bye');
    // Words, emoji and accents as written.
    expect(templateParameter('Já está 👍', 'f')).toBe('Já está 👍');
  });

  it('takes 1024 characters and refuses more, saying why and what to do', () => {
    expect(templateParameter('é'.repeat(1024), 'f')).toHaveLength(1024);
    expect(() => templateParameter(`${'a'.repeat(1000)}\n${'b'.repeat(24)}`, 'f')).toThrow(
      /this one has 1025/,
    );
    try {
      templateParameter('x'.repeat(2000), 'followup');
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConnectorError);
      expect((err as ConnectorError).kind).toBe('bad_request');
      expect((err as Error).message).toMatch(
        /template "followup", whose text parameter holds at most 1024 characters; this one has 2000.*shorten it/,
      );
    }
  });
});

describe.each(ENGINES)('a late WhatsApp reply as a template, on %s', (engine) => {
  const h = new MetaHarness().inSuite(engine);
  let ch: string;
  const { msgBy, reply, config, secrets } = h;

  beforeAll(async () => {
    ch = await createChannel(h.t, {
      kind: 'meta',
      name: 'wa-template',
      config: config({ whatsappTemplate: { name: 'followup', language: 'en_US' } }),
      secrets: secrets(),
    });
  });

  /** A WhatsApp text from 25 hours ago: the customer service window is closed. */
  const lateCase = async (from: string, id: string) => {
    const body = JSON.stringify(
      whatsappBody(h.fake.phoneId, {
        contacts: [{ profile: { name: 'Maria' }, wa_id: from }],
        messages: [
          {
            from,
            id,
            timestamp: String(Math.floor(Date.now() / 1000) - 25 * 3600),
            type: 'text',
            text: { body: 'no signal' },
          },
        ],
      }),
    );
    expect((await deliverMeta(h.t, ch, body)).statusCode).toBe(200);
    await h.t.app.pipeline.drain();
    return (await msgBy(id)).case_id!;
  };

  it('sends a multi-line reply as a one-line parameter, and refuses one too long for it', async () => {
    const caseId = await lateCase('14155550191', 'wamid.TPL1');
    await reply(caseId, 'Late reply on whatsapp\nsecond line');
    await h.t.app.outbox.runOnce();
    expect(h.fake.sent.at(-1)!.body).toMatchObject({
      type: 'template',
      template: {
        name: 'followup',
        components: [
          {
            type: 'body',
            parameters: [{ type: 'text', text: 'Late reply on whatsapp second line' }],
          },
        ],
      },
    });
    const before = h.fake.sent.length;
    // Within a WhatsApp message's 4096, over the template parameter's 1024: refused at once.
    expect(await h.refused(caseId, 'word '.repeat(300))).toMatchObject({
      code: 'too_long',
      message: expect.stringMatching(
        /^the WhatsApp 24-hour customer service window is closed, so the reply goes as the approved template "followup", whose text parameter holds at most 1024 characters; this one has 1499/,
      ),
      details: { rule: 'whatsapp_template_parameter', channel: 'whatsapp', kind: 'bad_request' },
    });
    expect(h.fake.sent.length).toBe(before);
  });
});
