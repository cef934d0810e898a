import { describe, expect, it } from 'vitest';
import { readLossless, stringifyExact, v1Statuses } from '../../../test/fakes/channels.js';
import { hasSharedData, readSharedText } from '../../../test/fakes/shared-data.js';
import { parseJsonExact } from '../channel.json.js';
import { parseXWebhook } from './x.parse.js';
import { tweetV2ToMessage, xEditOf } from './x.parse.v2.js';

const AA = 'x-twitter-api/courier-account-activity';
const ctx = { channelId: 'ch-x', accountId: '835740314006511618' };

describe.runIf(hasSharedData(AA))('X Account Activity payloads (real files)', () => {
  it('a DM becomes a private inbound message with the sender from the users map', () => {
    const out = parseXWebhook(parseJsonExact(readSharedText(AA, 'helloMsg.json')), ctx);
    expect(out.ignored).toEqual([]);
    expect(out.messages).toHaveLength(1);
    const m = out.messages[0].message;
    expect(m).toMatchObject({
      channel: 'x',
      channelId: 'ch-x',
      externalId: '958501034212564996',
      direction: 'in',
      visibility: 'private',
      author: { id: '272953809', handle: 'nicpottier', name: 'Nicolas Pottier' },
      text: 'Hello World & good wishes.',
      sentAt: '2018-01-31T00:43:49.301Z',
    });
  });

  it('keeps a DM attachment', () => {
    const out = parseXWebhook(parseJsonExact(readSharedText(AA, 'attachment.json')), ctx);
    expect(out.messages[0].message.attachments).toEqual([
      { type: 'media', url: 'https://image.foo.com/image.jpg' },
    ]);
  });

  it('ignores a DM whose sender id is not numeric, with a reason', () => {
    const out = parseXWebhook(parseJsonExact(readSharedText(AA, 'invalidTwitterID.json')), ctx);
    expect(out.messages).toEqual([]);
    expect(out.ignored[0].reason).toMatch(/numeric/);
  });

  it('recognises our own DM as an echo addressed to the customer', () => {
    const body = parseJsonExact(readSharedText(AA, 'helloMsg.json'));
    const out = parseXWebhook(body, { channelId: 'ch-x', accountId: '272953809' });
    expect(out.messages[0].message.direction).toBe('out');
    expect(out.messages[0].counterpart).toBe('835740314006511618');
  });
});

const SEARCH = 'x-twitter-api/tweepy-cassettes/testsearchtweets.json';

describe.runIf(hasSharedData(SEARCH))('X tweet_create_events with real v1.1 Tweets', () => {
  it('reads id_str, never the rounded numeric id, and skips retweets with a reason', () => {
    const statuses = v1Statuses();
    const raw = stringifyExact({ for_user_id: '251602117', tweet_create_events: statuses });
    // The raw body has the numeric ids that JavaScript cannot hold.
    expect(raw).toContain('"id":1149788838430224391');
    expect(JSON.parse(raw).tweet_create_events[4].id).not.toBe(1149788838430224391n.toString());
    const out = parseXWebhook(parseJsonExact(raw), { channelId: 'ch-x', accountId: '251602117' });
    expect(out.messages).toHaveLength(9);
    expect(out.ignored.filter((i) => /retweet/.test(i.reason))).toHaveLength(6);
    const ids = out.messages.map((m) => m.message.externalId);
    expect(ids).toContain('1149788838430224391');
    expect(ids).toContain('1149557488447975429');
    const reply = out.messages.find((m) => m.message.externalId === '1149678185375600641')!;
    expect(reply.message.inReplyTo).toBe('1149676837204717568');
    // Our own account's posts are echoes.
    const ours = out.messages.filter((m) => m.message.author.id === '251602117');
    expect(ours).toHaveLength(2);
    expect(ours.every((m) => m.message.direction === 'out')).toBe(true);
    expect(
      out.messages.find((m) => m.message.externalId === '1149781555226828800')!.message,
    ).toMatchObject({
      direction: 'in',
      visibility: 'public',
      author: { id: '955465072662515712', handle: 'PTCruiserBot' },
      text: 'Sending my first tweet via Tweepy!',
    });
  });

  it('turns deletions and read receipts into marks and skips other event types', () => {
    const out = parseXWebhook(
      parseJsonExact(
        '{"for_user_id":"1","tweet_delete_events":[{"status":{"id":"1149788838430224391","user_id":"251602117"},"timestamp_ms":"1563000000000"}],"favorite_events":[{}],"direct_message_mark_read_events":[{"created_timestamp":"1563000000001","last_read_event_id":"958501034212564996"}]}',
      ),
      { channelId: 'c' },
    );
    expect(out.marks).toEqual([
      { channel: 'x', externalId: '1149788838430224391', kind: 'deleted', at: 1563000000000 },
      { channel: 'x', externalId: '958501034212564996', kind: 'read', at: 1563000000001 },
    ]);
    expect(out.ignored).toEqual([
      { what: 'favorite_events', reason: 'event type carries no message' },
    ]);
  });

  it('refuses a delivery for another account', () => {
    const lossless = readLossless(AA, 'helloMsg.json') as Record<string, unknown>;
    const out = parseXWebhook(
      parseJsonExact(stringifyExact({ ...lossless, for_user_id: '42' })),
      ctx,
    );
    expect(out.messages).toEqual([]);
    expect(out.ignored[0].reason).toMatch(/not this channel's account/);
  });
});

describe.runIf(hasSharedData(AA))('X DMs addressed to another account', () => {
  it('ignores a DM neither from nor to our account, with a reason', () => {
    // helloMsg.json goes to 835740314006511618 and carries no for_user_id.
    const body = parseJsonExact(readSharedText(AA, 'helloMsg.json'));
    const out = parseXWebhook(body, { channelId: 'ch-x', accountId: '3333' });
    expect(out.messages).toEqual([]);
    expect(out.ignored).toEqual([
      { what: 'direct message', reason: 'addressed to 835740314006511618, not our account' },
    ]);
  });
});

describe('X edited posts', () => {
  it('reads the versions before an edit from v1.1 edit_history and v2 edit_history_tweet_ids', () => {
    expect(xEditOf('3', ['1', '2', '3'], '1')).toEqual(['1', '2']);
    expect(xEditOf('1', ['1'], '1')).toBeUndefined();
    expect(xEditOf('5', undefined, undefined)).toBeUndefined();
    const r = tweetV2ToMessage(
      { id: '12', text: 'fixed typo', author_id: '77', edit_history_tweet_ids: ['11', '12'] },
      {},
      { channelId: 'ch-x', accountId: '1' },
    );
    expect('message' in r && r.editOf).toEqual(['11']);
    const out = parseXWebhook(
      {
        for_user_id: '1',
        tweet_create_events: [
          {
            id_str: '12',
            text: 'fixed typo',
            user: { id_str: '77' },
            timestamp_ms: '1796330039633',
            edit_history: { initial_tweet_id: '11', edit_tweet_ids: ['11', '12'] },
          },
        ],
      },
      { channelId: 'ch-x', accountId: '1' },
    );
    expect(out.messages).toEqual([]);
    expect(out.edits[0].edit).toEqual({
      channel: 'x',
      key: '12',
      priorIds: ['11'],
      newExternalId: '12',
      text: 'fixed typo',
      at: 1796330039633,
    });
  });
});
