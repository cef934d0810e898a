import { beforeAll, describe, expect, it } from 'vitest';
import { createChannel, deliverMeta } from '../../../test/fakes/channels.js';
import { FBA, MetaHarness, nextPsid, PAGE } from '../../../test/fakes/meta-harness.js';
import { hasSharedData, readSharedText } from '../../../test/fakes/shared-data.js';
import { ENGINES } from '../../../test/support/engines.js';

const IG = '17841400000000001';

/*
 * Instagram messages go by the Messenger Platform's documented flow: POST /{PAGE-ID}/messages
 * with the Page token (the Page linked to the Instagram account), and their text is at most
 * 1000 UTF-8 bytes; a longer one is refused before the call, saying why.
 */
describe.runIf(hasSharedData(FBA)).each(ENGINES)('Instagram messages on %s', (engine) => {
  const h = new MetaHarness().inSuite(engine);
  let ig: string;
  const { msgBy, reply, outbox, config, secrets } = h;

  beforeAll(async () => {
    ig = await createChannel(h.t, {
      kind: 'meta',
      name: 'Acme on Instagram',
      config: config({ instagramAccountId: IG }),
      secrets: secrets(),
    });
  });

  /** The captured Messenger text, as Instagram sends it to our account; returns its case. */
  const dm = async (text: string) => {
    const who = nextPsid();
    const raw = readSharedText(FBA, 'hello_msg.json')
      .replace('"page"', '"instagram"')
      .replaceAll(`"${PAGE}"`, `"${IG}"`)
      .replaceAll('"5678"', `"${who}"`)
      .replaceAll('1459991487970', String(Date.now() - 60_000))
      .replace('"external_id"', `"m_ig_${who}"`)
      .replace('Hello World', text);
    expect((await deliverMeta(h.t, ig, raw)).statusCode).toBe(200);
    await h.t.app.pipeline.drain();
    const m = await msgBy(`m_ig_${who}`);
    expect(m).toMatchObject({ channel: 'instagram', author_address: who });
    return [who, m.case_id!] as const;
  };

  it('sends a DM to /{PAGE-ID}/messages with the Page token', async () => {
    const [who, caseId] = await dm('my order never came');
    const id = await reply(caseId, 'Sorry — checking your order now.');
    await h.t.app.outbox.runOnce();
    expect(h.fake.sent.at(-1)).toMatchObject({
      kind: 'message',
      path: `/v21.0/${PAGE}/messages`,
      body: { recipient: { id: who }, message: { text: 'Sorry — checking your order now.' } },
    });
    expect((await outbox(id)).status).toBe('delivered');
  });

  it('refuses a DM over 1000 UTF-8 bytes when the agent sends it, saying why', async () => {
    const [, caseId] = await dm('where is my refund');
    const before = h.fake.sent.length;
    // 600 characters, 1,200 bytes: within any count of characters, over Instagram's bytes.
    const error = await h.refused(caseId, 'é'.repeat(600));
    expect(error).toMatchObject({
      code: 'too_long',
      message: expect.stringMatching(
        /^an Instagram message holds at most 1000 bytes of UTF-8 text \(Meta's limit\) and this one has 1200 \(600 characters/,
      ),
      details: { rule: 'instagram_bytes', channel: 'instagram', kind: 'bad_request' },
    });
    expect(h.fake.sent.length).toBe(before);
    // 1000 bytes exactly goes.
    await reply(caseId, 'é'.repeat(500));
    await h.t.app.outbox.runOnce();
    expect(h.fake.sent.length).toBe(before + 1);
  });
  it('sends a private reply to a comment through the Page too, and a public one under it', async () => {
    const who = `1784145${nextPsid()}`;
    const commentId = `1786579${who.slice(-6)}`;
    const comment = JSON.stringify({
      object: 'instagram',
      entry: [
        {
          id: IG,
          time: Math.floor(Date.now() / 1000) - 60,
          changes: [
            {
              field: 'comments',
              value: {
                from: { id: who, username: 'cust' },
                media: { id: '17900000000000000' },
                id: commentId,
                text: 'is the app down?',
              },
            },
          ],
        },
      ],
    });
    expect((await deliverMeta(h.t, ig, comment)).statusCode).toBe(200);
    await h.t.app.pipeline.drain();
    const caseId = (await msgBy(commentId)).case_id!;
    await reply(caseId, 'We sent you a DM.', 'public');
    await h.t.app.outbox.runOnce();
    expect(h.fake.sent.at(-1)).toMatchObject({
      kind: 'comment',
      path: `/v21.0/${commentId}/replies`,
    });
    await reply(caseId, 'Could you send us your order number?', 'private');
    await h.t.app.outbox.runOnce();
    expect(h.fake.sent.at(-1)).toMatchObject({
      kind: 'private_reply',
      path: `/v21.0/${PAGE}/messages`,
      body: { recipient: { comment_id: commentId } },
    });
  });
});
