import { beforeAll, describe, expect, it } from 'vitest';
import { careWorld } from '../src/cases/test-world.js';
import { tweetV1ToMessage } from '../src/channels/x/x.parse.js';
import { tweetV2ToMessage } from '../src/channels/x/x.parse.v2.js';
import { ENGINES } from './support/engines.js';
import { suiteApp } from './support/suite.js';

/**
 * What the API answers 2xx to, the database can store: an integer past its column's range is a
 * 400, not a 500 on PostgreSQL (int4 / bigint overflow) or a REAL on SQLite, nor an inbound
 * message accepted and then failed by the pipeline on every attempt until it is parked.
 */
describe.each(ENGINES)('integer bounds on %s', (engine) => {
  const t = suiteApp(engine);
  const { api } = careWorld(() => t);
  let queueId: string;
  beforeAll(() => {
    queueId = t.app.workspace.defaultQueueId;
  });

  it('a routing rule position fits an int4 column', async () => {
    for (const position of [3_000_000_000, 1e300, -3_000_000_000]) {
      const res = await api('POST', '/api/v1/routing-rules', {
        name: 'r',
        queueId,
        position,
        conditions: {},
      });
      expect(res.statusCode, String(position)).toBe(400);
      expect(res.json().error.message).toMatch(/body\/position must be <?>?=? ?/);
    }
    const ok = await api('POST', '/api/v1/routing-rules', {
      name: 'last',
      queueId,
      position: 2_147_483_647,
      conditions: {},
    });
    expect(ok.statusCode).toBe(201);
    const listed = (await api('GET', '/api/v1/routing-rules')).json().items;
    expect(listed.find((r: { name: string }) => r.name === 'last').position).toBe(2_147_483_647);
  });

  it('parked-event sequence numbers are positive and fit a bigint', async () => {
    for (const seqs of [[1e20], [1e300], [0]]) {
      const res = await api('POST', '/api/v1/admin/parked/retry', { seqs });
      expect(res.statusCode, JSON.stringify(seqs)).toBe(400);
      expect(res.json().error.message).toMatch(/body\/seqs\/0 must be/);
    }
    const ok = await api('POST', '/api/v1/admin/parked/retry', { seqs: [Number.MAX_SAFE_INTEGER] });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ retried: 0 });
  });

  it('an inbound follower count or attachment size past a bigint is refused, not parked', async () => {
    const message = (author: object, extra: object = {}) => ({
      channel: 'x',
      externalId: `f-${Math.random()}`,
      author: { id: 'u1', name: 'U', ...author },
      text: 'hi',
      sentAt: new Date().toISOString(),
      ...extra,
    });
    const huge = await api('POST', '/api/v1/inbound', message({ followers: 1e300 }));
    expect(huge.statusCode).toBe(400);
    expect(huge.json().error.message).toMatch(/followers/);
    const size = await api(
      'POST',
      '/api/v1/inbound',
      message({}, { attachments: [{ type: 'image', size: 1e300 }] }),
    );
    expect(size.statusCode).toBe(400);
    expect(size.json().error.message).toMatch(/size/);

    const big = await api(
      'POST',
      '/api/v1/inbound',
      message({ id: 'u-big', followers: Number.MAX_SAFE_INTEGER }),
    );
    expect(big.statusCode).toBe(202);
    await t.app.pipeline.drain();
    const db = t.app.database.db;
    const parked = await db
      .selectFrom('inbound_events')
      .select('seq')
      .where('status', '=', 'parked')
      .execute();
    expect(parked).toEqual([]);
    const ident = await db
      .selectFrom('identities')
      .select('followers')
      .where('address', '=', 'u-big')
      .executeTakeFirstOrThrow();
    expect(Number(ident.followers)).toBe(Number.MAX_SAFE_INTEGER);
  });
});

describe('X follower counts', () => {
  const ctx = { channelId: 'ch-x', accountId: '1' };
  it('are clamped to what the schema takes, so a tweet is never parked for its author', () => {
    const v1 = tweetV1ToMessage(
      {
        id_str: '1149788838430224391',
        text: 'hi',
        timestamp_ms: '1700000000000',
        user: { id_str: '42', screen_name: 'big', followers_count: 1e300 },
      },
      ctx,
    );
    expect('message' in v1 && v1.message.author.followers).toBe(Number.MAX_SAFE_INTEGER);
    const v2 = tweetV2ToMessage(
      { id: '1149788838430224391', text: 'hi', author_id: '42' },
      { users: [{ id: '42', username: 'big', public_metrics: { followers_count: 12.5 } }] },
      ctx,
    );
    expect('message' in v2 && v2.message.author.followers).toBe(12);
  });
});
