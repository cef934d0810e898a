import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asAdmin, type TestApp, testApp } from '../../../test/builders.js';
import { createChannel, X_SECRET } from '../../../test/fakes/channels.js';
import { hasSharedData, readSharedText } from '../../../test/fakes/shared-data.js';
import { FakeX, type V2Tweet } from '../../../test/fakes/x-provider.js';
import { ENGINES } from '../../../test/support/engines.js';
import { snowflakeTime } from './x.parse.v2.js';

const MENTIONS = 'x-twitter-api/tweepy-cassettes/test_client_get_users_mentions.json';
const POSTMAN = 'x-twitter-api/postman-official/example_responses.json';
const OUR = '783214';

/** The real mentions (ids and texts as X returned them), with the fields a poller asks for. */
function realMentions(): { tweets: V2Tweet[]; users: Record<string, unknown>[] } {
  const body = JSON.parse(readSharedText(MENTIONS)).interactions[0].response.body as {
    data: V2Tweet[];
  };
  const tweets = body.data.map((t, i) => ({
    ...t,
    author_id: String(4000 + (i % 4)),
    created_at: new Date(snowflakeTime(t.id)).toISOString(),
  }));
  const users = [0, 1, 2, 3].map((i) => ({
    id: String(4000 + i),
    username: `person${i}`,
    name: `Person ${i}`,
  }));
  return { tweets, users };
}

describe.runIf(hasSharedData(MENTIONS) && hasSharedData(POSTMAN)).each(ENGINES)(
  'X polling against a fake X API on %s',
  (engine) => {
    let t: TestApp;
    let fake: FakeX;
    const db = () => t.app.database.db;
    const poll = async (id: string) => {
      const res = await asAdmin(t, 'POST', `/api/v1/channels/${id}/poll`);
      expect(res.statusCode).toBe(200);
      return res.json().results as {
        stream: string;
        pages: number;
        read: number;
        accepted: number;
        stoppedBy: string;
      }[];
    };
    const stored = async (ids: string[]) =>
      db()
        .selectFrom('messages')
        .select(['external_id', 'author_address', 'unsolicited', 'sent_at'])
        .where('external_id', 'in', ids)
        .execute();

    beforeAll(async () => {
      fake = await new FakeX().start();
      fake.me = { id: OUR, username: 'Twitter', name: 'Twitter' };
      t = await testApp(engine);
    });
    afterAll(async () => {
      await t?.close();
      await fake?.close();
    });

    it('walks mentions page by page, then asks only for what is newer (since_id)', async () => {
      const { tweets, users } = realMentions();
      fake.mentions = tweets;
      fake.users = users;
      const id = await createChannel(t, {
        kind: 'x',
        name: 'polling',
        config: { accountId: OUR, apiBaseUrl: fake.url, mode: 'polling', pageSize: 5 },
        secrets: { consumerSecret: X_SECRET, userAccessToken: fake.userToken },
      });
      const first = await poll(id);
      expect(first).toEqual([
        { stream: 'mentions', pages: 2, read: 10, accepted: 10, stoppedBy: 'done' },
      ]);
      const reqs = fake.requestsOf('mentions');
      expect(reqs[0].query.get('since_id')).toBeNull();
      expect(reqs[0].query.get('expansions')).toBe('author_id');
      expect(reqs[1].query.get('pagination_token')).toBe('5');
      await t.app.pipeline.drain();
      const rows = await stored(tweets.map((x) => x.id));
      expect(rows.map((r) => r.external_id).sort()).toEqual(tweets.map((x) => x.id).sort());
      const newest = '1578516295611748353';
      expect(rows.find((r) => r.external_id === newest)!.author_address).toBe('4000');
      expect(Number(rows.find((r) => r.external_id === newest)!.sent_at)).toBe(
        snowflakeTime(newest),
      );

      fake.mentions = [
        ...tweets,
        { id: '1578516295611748400', text: '@Twitter still down', author_id: '4001' },
        { id: '1578516295611748999', text: '@Twitter hello?', author_id: '4002' },
      ];
      const second = await poll(id);
      expect(second[0]).toEqual({
        stream: 'mentions',
        pages: 1,
        read: 2,
        accepted: 2,
        stoppedBy: 'done',
      });
      expect(fake.requestsOf('mentions').at(-1)!.query.get('since_id')).toBe(newest);
      const third = await poll(id);
      expect(third[0]).toMatchObject({ read: 0, accepted: 0 });
      expect(fake.requestsOf('mentions').at(-1)!.query.get('since_id')).toBe('1578516295611748999');
    });

    it('stops at the monthly read budget and resumes where it stopped', async () => {
      const { tweets, users } = realMentions();
      fake.mentions = tweets;
      fake.users = users;
      const id = await createChannel(t, {
        kind: 'x',
        name: 'budget',
        config: { accountId: OUR, apiBaseUrl: fake.url, pageSize: 5, readBudgetPerMonth: 7 },
        secrets: { consumerSecret: X_SECRET, userAccessToken: fake.userToken },
      });
      const r = await poll(id);
      expect(r[0]).toMatchObject({ pages: 1, read: 5, stoppedBy: 'budget' });
      const h = (
        await t.app.http.inject({ method: 'GET', url: `/api/v1/channels/${id}`, headers: t.auth })
      ).json().health;
      expect(h.readBudget).toMatchObject({ used: 5 });
      expect(h.cursors.mentions.resume.nextToken).toBe('5');
    });

    it('honours x-rate-limit-remaining: stops before the window is spent, resumes after reset, no gaps', async () => {
      const { tweets, users } = realMentions();
      fake.mentions = tweets;
      fake.users = users;
      fake.remaining.mentions = 1;
      const id = await createChannel(t, {
        kind: 'x',
        name: 'ratelimit',
        config: { accountId: OUR, apiBaseUrl: fake.url, pageSize: 5 },
        secrets: { consumerSecret: X_SECRET, userAccessToken: fake.userToken },
      });
      const before = fake.requestsOf('mentions').length;
      const r = await poll(id);
      expect(r[0]).toMatchObject({ pages: 1, read: 5, stoppedBy: 'rate_limit' });
      // It did not spend a call it knew would be refused.
      expect(fake.requestsOf('mentions').length).toBe(before + 1);
      const h = (
        await t.app.http.inject({ method: 'GET', url: `/api/v1/channels/${id}`, headers: t.auth })
      ).json().health;
      expect(h.rateLimits.mentions.remaining).toBe(0);
      // The window resets.
      fake.remaining.mentions = 450;
      await db()
        .updateTable('channel_state')
        .set({
          rate_limit_json: JSON.stringify({
            mentions: { remaining: 0, resetAt: Date.now() - 1, observedAt: 0 },
          }),
        })
        .where('channel_id', '=', id)
        .execute();
      const r2 = await poll(id);
      expect(r2[0]).toMatchObject({ pages: 1, read: 5, stoppedBy: 'done' });
      expect(fake.requestsOf('mentions').at(-1)!.query.get('pagination_token')).toBe('5');
    });

    it('a 429 while polling is a pause, not an error', async () => {
      fake.mentions = realMentions().tweets;
      const id = await createChannel(t, {
        kind: 'x',
        name: '429',
        config: { accountId: OUR, apiBaseUrl: fake.url },
        secrets: { consumerSecret: X_SECRET, userAccessToken: fake.userToken },
      });
      fake.script('mentions', {
        status: 429,
        headers: {
          'x-rate-limit-remaining': '0',
          'x-rate-limit-reset': String(Math.floor(Date.now() / 1000) + 300),
        },
        body: 'Rate limit exceeded\n',
      });
      const r = await poll(id);
      expect(r[0]).toMatchObject({ pages: 0, stoppedBy: 'rate_limit' });
      const h = (
        await t.app.http.inject({ method: 'GET', url: `/api/v1/channels/${id}`, headers: t.auth })
      ).json().health;
      expect(Date.parse(h.rateLimits.mentions.blockedUntil)).toBeGreaterThan(Date.now() + 200_000);
    });

    it('listening brings in posts about us as unsolicited, and mentions of us as ordinary', async () => {
      const examples = JSON.parse(readSharedText(POSTMAN)) as {
        example_name: string;
        body: { data: V2Tweet[] };
      }[];
      const found = examples.find((e) => e.example_name === '200 Success - Request Tweet Fields')!
        .body.data;
      const mention = {
        ...found[2],
        id: '1275840892285399999',
        text: '@Twitter my nyc fibre is down',
        entities: { mentions: [{ start: 0, end: 8, username: 'Twitter' }] },
      };
      fake.search.set('nyc', [...found, mention]);
      const id = await createChannel(t, {
        kind: 'x',
        name: 'listen',
        config: { handle: 'twitter', accountId: '1', apiBaseUrl: fake.url, listenQueries: ['nyc'] },
        secrets: {
          consumerSecret: X_SECRET,
          bearerToken: fake.bearerToken,
          userAccessToken: fake.userToken,
        },
      });
      fake.mentions = [];
      const r = await poll(id);
      const search = r.find((x) => x.stream === 'search:nyc')!;
      // Retweets carry no words of their own and are skipped.
      const retweets = found.filter((x) =>
        JSON.stringify(x.referenced_tweets ?? []).includes('retweeted'),
      ).length;
      expect(search.read).toBe(found.length + 1);
      expect(search.accepted).toBe(found.length + 1 - retweets);
      expect(fake.requestsOf('search').at(-1)!.headers.authorization).toBe(
        `Bearer ${fake.bearerToken}`,
      );
      await t.app.pipeline.drain();
      const rows = await stored([...found.map((x) => x.id), mention.id]);
      expect(rows.find((x) => x.external_id === mention.id)!.unsolicited).toBe(0);
      const others = rows.filter((x) => x.external_id !== mention.id);
      expect(others.length).toBe(found.length - retweets);
      expect(others.every((x) => x.unsolicited === 1)).toBe(true);
    });
  },
);
