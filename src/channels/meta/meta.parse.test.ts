import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hasSharedData, readSharedText, sharedDataPath } from '../../../test/fakes/shared-data.js';
import { parseJsonExact } from '../channel.json.js';
import type { ParsedDelivery } from '../channel.parsed.js';
import { parseMetaWebhook } from './meta.parse.js';
import { metaHandshake, signMetaBody, verifyMetaSignature } from './meta.verify.js';

const FBA = 'facebook-messenger-webhooks/courier-fba';
const FEED = 'facebook-page-feed-webhooks/oktasuke-tcclighting';
const ctx = { channelId: 'ch-meta', pageId: '1234567890' };
const T = '2016-04-07T01:11:27.970Z';

const msg = (over: Record<string, unknown>) => ({
  channel: 'facebook',
  channelId: 'ch-meta',
  direction: 'in',
  author: { id: '5678' },
  sentAt: T,
  visibility: 'private',
  ...over,
});

/** What each real Messenger fixture must become (or why it is ignored). */
const EXPECTED: Record<string, (d: ParsedDelivery) => void> = {
  'hello_msg.json': (d) =>
    expect(d.messages[0].message).toMatchObject(
      msg({ externalId: 'external_id', text: 'Hello World' }),
    ),
  'attachment.json': (d) =>
    expect(d.messages[0].message).toMatchObject(
      msg({ text: '', attachments: [{ type: 'image', url: 'https://image-url/foo.png' }] }),
    ),
  'location_attachment.json': (d) =>
    expect(d.messages[0].message.attachments).toEqual([
      { type: 'location', latitude: 1.2, longitude: -1.3 },
    ]),
  'thumbs_up.json': (d) =>
    expect(d.messages[0].message.attachments).toEqual([
      { type: 'image', url: 'https://scontent.xx.fbcdn.net/v/arst', stickerId: '369239263222822' },
    ]),
  'reel.json': (d) =>
    expect(d.messages[0].message.attachments).toEqual([
      { type: 'ig_reel', url: '/reel/123451234512345/' },
    ]),
  'fallback.json': (d) =>
    expect(d.messages[0].message.attachments).toEqual([
      { type: 'fallback', url: 'My Documents/foo.doc', name: 'Foo' },
    ]),
  'echo.json': (d) => {
    expect(d.messages[0].message).toMatchObject({
      externalId: 'qT7ywaK',
      direction: 'out',
      author: { id: '1234567890' },
    });
    expect(d.messages[0].counterpart).toBe('5678');
  },
  'duplicate_msg.json': (d) =>
    expect(d.messages.map((m) => m.message.externalId)).toEqual(['external_id', 'external_id']),
  'dlr.json': (d) => {
    expect(d.marks).toEqual([
      {
        channel: 'facebook',
        externalId: 'mid.1458668856218:ed81099e15d3f4f233',
        kind: 'delivered',
        at: 1459991487970,
      },
    ]);
    expect(d.watermarks).toEqual([
      { channel: 'facebook', customerAddress: '5678', kind: 'delivered', watermark: 1458668856253 },
    ]);
  },
  'postback.json': (d) =>
    expect(d.messages[0].message).toMatchObject(
      msg({ externalId: 'postback:5678:1459991487970', text: 'postback title' }),
    ),
  'postback_get_started.json': (d) => expect(d.messages[0].message.text).toBe('postback title'),
  'postback_referral.json': (d) => expect(d.messages[0].message.text).toBe('postback title'),
  'referral.json': (d) =>
    expect(d.messages[0].message).toMatchObject(
      msg({
        externalId: 'referral:5678:1459991487970',
        text: '(opened the conversation from referral source, ref referral id)',
      }),
    ),
  'referral_seconds.json': (d) =>
    expect(d.messages[0].message.sentAt).toBe('2023-12-03T10:25:11.000Z'),
  'different_page.json': (d) => expect(d.ignored[0].reason).toMatch(/addressed to 1235/),
  'invalid_urn.json': (d) => expect(d.ignored[0].reason).toMatch(/numeric/),
  'no_entries.json': (d) => expect(d.ignored[0].reason).toBe('no entries'),
  'no_messaging_entries.json': (d) => expect(d.ignored[0].reason).toMatch(/without messaging/),
  'not_page.json': (d) => expect(d.ignored[0].reason).toBe('object not handled'),
  'notification_messages_optin.json': (d) => expect(d.ignored[0].reason).toMatch(/opt-in/),
  'referral_optin.json': (d) => expect(d.ignored[0].reason).toMatch(/opt-in/),
  'referral_optin_user_ref.json': (d) => expect(d.ignored[0].reason).toMatch(/opt-in/),
  'unknown_messaging_entry.json': (d) => expect(d.ignored[0].reason).toBe('event carries nothing'),
};

describe.runIf(hasSharedData(FBA))('Messenger webhook payloads (every real file)', () => {
  const files = readdirSync(sharedDataPath(FBA)).filter((f) => f.endsWith('.json'));
  it('has an expectation for every file in the folder', () => {
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
  });
  it.each(files)('%s', (file) => {
    const d = parseMetaWebhook(parseJsonExact(readSharedText(FBA, file)), ctx);
    const produced = d.messages.length + d.marks.length + d.watermarks.length;
    // Everything is either turned into something or ignored with a reason, never both silently.
    expect(produced > 0 || d.ignored.length > 0).toBe(true);
    EXPECTED[file](d);
  });
});

describe.runIf(hasSharedData(FEED))('Page feed payloads (every real file)', () => {
  it.each([
    'page_like_add.json',
    'post_like_add.json',
    'post_like_remove.json',
    'post_reaction_add.json',
  ])('%s is ignored with a reason', (file) => {
    const d = parseMetaWebhook(parseJsonExact(readSharedText(FEED, file)), { channelId: 'c' });
    expect(d.messages).toEqual([]);
    expect(d.ignored[0].reason).toMatch(/not a post or comment/);
  });
  it('post_comment_add.json: the Page commenting on its own post is an echo in that thread', () => {
    const d = parseMetaWebhook(parseJsonExact(readSharedText(FEED, 'post_comment_add.json')), {
      channelId: 'c',
    });
    expect(d.messages[0].message).toMatchObject({
      channel: 'facebook',
      externalId: '1163393020407286_1164864096926845',
      direction: 'out',
      visibility: 'public',
      author: { id: '1142469655832956', name: 'CTCC' },
      text: 'test',
      inReplyTo: '1142469655832956_1163393020407286',
      conversationId: '1142469655832956_1163393020407286',
      sentAt: '2016-11-06T13:40:30.000Z',
    });
  });
  it('verifies X-Hub-Signature-256 over the exact bytes (tabs and spacing included)', () => {
    const raw = Buffer.from(readSharedText(FEED, 'post_like_add.json'));
    const sig = signMetaBody(raw, 'app-secret');
    expect(verifyMetaSignature(raw, sig, 'app-secret')).toBe(true);
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(raw.toString())));
    expect(verifyMetaSignature(reserialised, sig, 'app-secret')).toBe(false);
    expect(verifyMetaSignature(raw, sig, 'other')).toBe(false);
    expect(verifyMetaSignature(raw, sig.toUpperCase(), 'app-secret')).toBe(false);
    expect(verifyMetaSignature(raw, undefined, 'app-secret')).toBe(false);
  });
});

describe('Meta handshake and constructed payloads', () => {
  it('echoes the challenge only for our verify token', () => {
    const q = { 'hub.mode': 'subscribe', 'hub.verify_token': 'tok', 'hub.challenge': '1158201444' };
    expect(metaHandshake(q, 'tok')).toEqual({ challenge: '1158201444' });
    expect(metaHandshake(q, 'other')).toMatchObject({
      status: 403,
      message: 'verify token mismatch',
    });
    const { 'hub.verify_token': _, ...noToken } = q;
    expect(metaHandshake(noToken, 'tok')).toMatchObject({ status: 403 });
  });

  it('says what is wrong with a handshake that is not a subscription or has no challenge', () => {
    const q = { 'hub.mode': 'subscribe', 'hub.verify_token': 'tok', 'hub.challenge': '1' };
    expect(metaHandshake({ ...q, 'hub.mode': 'unsubscribe' }, 'tok')).toEqual({
      status: 400,
      code: 'bad_request',
      message: 'hub.mode unsubscribe is not supported: only subscribe is',
    });
    const { 'hub.mode': _m, ...noMode } = q;
    expect(metaHandshake(noMode, 'tok')).toMatchObject({
      status: 400,
      message: /hub.mode is missing/,
    });
    const { 'hub.challenge': _c, ...noChallenge } = q;
    expect(metaHandshake(noChallenge, 'tok')).toMatchObject({
      status: 400,
      message: 'hub.challenge is missing',
    });
  });

  it('reads WhatsApp messages, media and statuses (documented shape)', () => {
    const body = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'WABA',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: {
                  display_phone_number: '15550100000',
                  phone_number_id: '106540352242922',
                },
                contacts: [{ profile: { name: 'Maria Alvarez' }, wa_id: '14155550123' }],
                messages: [
                  {
                    from: '14155550123',
                    id: 'wamid.A',
                    timestamp: '1700000000',
                    type: 'text',
                    text: { body: 'No signal since 8' },
                  },
                  {
                    from: '14155550123',
                    id: 'wamid.B',
                    timestamp: '1700000001',
                    type: 'image',
                    image: { id: 'MEDIA1', mime_type: 'image/jpeg', caption: 'my router' },
                  },
                  {
                    from: '14155550123',
                    id: 'wamid.C',
                    timestamp: '1700000002',
                    type: 'reaction',
                    reaction: { message_id: 'wamid.A', emoji: '👍' },
                  },
                ],
                statuses: [
                  {
                    id: 'wamid.OUT',
                    status: 'read',
                    timestamp: '1700000003',
                    recipient_id: '14155550123',
                  },
                ],
              },
            },
          ],
        },
      ],
    };
    const d = parseMetaWebhook(body, { channelId: 'c', whatsappPhoneNumberId: '106540352242922' });
    expect(d.messages.map((m) => m.message)).toMatchObject([
      {
        channel: 'whatsapp',
        externalId: 'wamid.A',
        author: { id: '+14155550123', name: 'Maria Alvarez' },
        text: 'No signal since 8',
        visibility: 'private',
      },
      {
        externalId: 'wamid.B',
        text: 'my router',
        attachments: [{ type: 'image', mediaId: 'MEDIA1', contentType: 'image/jpeg' }],
      },
    ]);
    expect(d.ignored[0].what).toBe('whatsapp reaction');
    expect(d.marks).toEqual([
      { channel: 'whatsapp', externalId: 'wamid.OUT', kind: 'read', at: 1700000003000 },
    ]);
    const other = parseMetaWebhook(body, { channelId: 'c', whatsappPhoneNumberId: '1' });
    expect(other.messages).toEqual([]);
  });

  it('reads current feed payloads (from: {id, name}), removals and Instagram comments', () => {
    const d = parseMetaWebhook(
      {
        object: 'page',
        entry: [
          {
            id: '1234567890',
            time: 1700000000,
            changes: [
              {
                field: 'feed',
                value: {
                  item: 'comment',
                  verb: 'add',
                  comment_id: '111_222',
                  post_id: '1234567890_111',
                  parent_id: '1234567890_111',
                  from: { id: '9001', name: 'Sam' },
                  message: 'Outage in 94110?',
                  created_time: 1700000000,
                },
              },
              {
                field: 'feed',
                value: {
                  item: 'comment',
                  verb: 'remove',
                  comment_id: '111_333',
                  post_id: '1234567890_111',
                  created_time: 1700000005,
                },
              },
              {
                field: 'feed',
                value: {
                  item: 'comment',
                  verb: 'edited',
                  comment_id: '111_222',
                  post_id: '1234567890_111',
                  created_time: 1700000006,
                },
              },
              { field: 'mention', value: {} },
            ],
          },
        ],
      },
      ctx,
    );
    expect(d.messages[0].message).toMatchObject({
      externalId: '111_222',
      author: { id: '9001', name: 'Sam' },
      visibility: 'public',
      direction: 'in',
    });
    expect(d.marks).toEqual([
      { channel: 'facebook', externalId: '111_333', kind: 'deleted', at: 1700000005000 },
    ]);
    expect(d.ignored.map((i) => i.what)).toEqual(['feed comment edited', 'change mention']);
    const ig = parseMetaWebhook(
      {
        object: 'instagram',
        entry: [
          {
            id: '17841400000000000',
            time: 1700000000,
            changes: [
              {
                field: 'comments',
                value: {
                  from: { id: '17841455555555555', username: 'cust' },
                  media: { id: '17900000000000000' },
                  id: '17865799348089039',
                  text: 'help!',
                },
              },
            ],
          },
        ],
      },
      { channelId: 'c', instagramAccountId: '17841400000000000' },
    );
    expect(ig.messages[0].message).toMatchObject({
      channel: 'instagram',
      externalId: '17865799348089039',
      inReplyTo: '17900000000000000',
      author: { handle: 'cust' },
    });
  });
});
