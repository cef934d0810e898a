import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../test/builders.js';
import { createChannel, deliverX, X_SECRET } from '../../test/fakes/channels.js';
import { ENGINES } from '../../test/support/engines.js';
import { type CapturedLogs, captureLogs } from '../../test/support/logs.js';
import { believableTimes } from '../ingest/inbound.time.js';
import { UNDATED } from './channel.parsed.js';
import { parseMetaWebhook } from './meta/meta.parse.js';

const OUR = '835740314006511618';

/** A v1.1 tweet as Account Activity delivers it, with the time fields given. */
const tweet = (id: string, times: { timestamp_ms?: string; created_at?: string }) => ({
  id_str: id,
  text: `my router is down again (${id})`,
  user: { id_str: '64807533', screen_name: 'customer', name: 'A Customer' },
  ...times,
});

describe('believableTimes', () => {
  it('keeps plausible times, old ones too, and dates the others on arrival', () => {
    const now = Date.UTC(2026, 11, 3, 9);
    const m = (externalId: string, sentAt: string) =>
      ({ channel: 'x', externalId, sentAt }) as Parameters<typeof believableTimes>[0][number];
    const r = believableTimes(
      [
        m('old', '2001-09-09T01:46:40Z'),
        m('skew', new Date(now + 60_000).toISOString()),
        m('epoch', '1970-01-01T00:00:00.000Z'),
        m('ahead', '9999-12-31T23:59:59Z'),
        m('junk', 'not a time'),
      ],
      now,
    );
    expect(r.messages.map((x) => x.sentAt)).toEqual([
      '2001-09-09T01:46:40Z',
      new Date(now + 60_000).toISOString(),
      ...Array(3).fill(new Date(now).toISOString()),
    ]);
    expect(r.retimed.map((x) => [x.externalId, x.reason])).toEqual([
      ['epoch', 'before 2000'],
      ['ahead', 'ahead of arrival'],
      ['junk', 'unparseable'],
    ]);
  });

  it('WhatsApp: a message without a usable timestamp is kept, undated, not ignored', () => {
    const parsed = parseMetaWebhook(
      {
        object: 'whatsapp_business_account',
        entry: [
          {
            id: '1',
            changes: [
              {
                field: 'messages',
                value: {
                  metadata: { phone_number_id: '555' },
                  messages: [
                    { from: '14155550101', id: 'wamid.A', type: 'text', text: { body: 'hi' } },
                    {
                      from: '14155550101',
                      id: 'wamid.B',
                      timestamp: '0',
                      type: 'text',
                      text: { body: 'again' },
                    },
                  ],
                },
              },
            ],
          },
        ],
      },
      { channelId: 'wa', whatsappPhoneNumberId: '555' },
    );
    expect(parsed.ignored).toEqual([]);
    expect(parsed.messages.map((p) => p.message.sentAt)).toEqual([UNDATED, UNDATED]);
  });
});

describe.each(ENGINES)('channel deliveries with times not believed on %s', (engine) => {
  let t: TestApp;
  let logs: CapturedLogs;
  let channelId: string;
  beforeAll(async () => {
    logs = captureLogs('warn');
    t = await testApp(engine, {}, { logger: logs.logger });
    channelId = await createChannel(t, {
      kind: 'x',
      name: 'X',
      config: { accountId: OUR },
      secrets: { consumerSecret: X_SECRET },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('X webhook: takes every tweet, dating the ones with impossible times on arrival, and logs them', async () => {
    const tweets = [
      tweet('1900000000000000001', {
        timestamp_ms: '0',
        created_at: 'Thu Jan 01 00:00:00 +0000 1970',
      }),
      tweet('1900000000000000002', { timestamp_ms: '253402300799000' }),
      tweet('1900000000000000003', { timestamp_ms: '99999999999999999' }),
      tweet('1900000000000000004', {}),
      tweet('1900000000000000005', { timestamp_ms: '1338552000000' }),
    ];
    const t0 = Date.now();
    const res = await deliverX(
      t,
      channelId,
      JSON.stringify({ for_user_id: OUR, tweet_create_events: tweets }),
    );
    expect(res.statusCode, res.body).toBe(200);
    const t1 = Date.now();
    await t.app.pipeline.drain();
    const rows = await t.app.database.db
      .selectFrom('messages')
      .select(['external_id', 'sent_at'])
      .where(
        'external_id',
        'in',
        tweets.map((x) => x.id_str),
      )
      .orderBy('external_id')
      .execute();
    expect(rows.map((r) => r.external_id)).toEqual(tweets.map((x) => x.id_str));
    for (const r of rows.slice(0, 4)) {
      expect(Number(r.sent_at)).toBeGreaterThanOrEqual(t0);
      expect(Number(r.sent_at)).toBeLessThanOrEqual(t1);
    }
    // A tweet of 2012 keeps its time: history is not a bad time.
    expect(Number(rows[4].sent_at)).toBe(1338552000000);
    const warned = logs
      .lines()
      .find((l) => l.msg === 'channel delivery: times not believed, dated on arrival');
    expect(warned?.channelId).toBe(channelId);
    expect(
      ((warned?.retimed ?? []) as { externalId: string; reason: string }[]).map((x) => [
        x.externalId,
        x.reason,
      ]),
    ).toEqual([
      ['1900000000000000001', 'before 2000'],
      ['1900000000000000002', 'ahead of arrival'],
      ['1900000000000000003', 'before 2000'],
      ['1900000000000000004', 'before 2000'],
    ]);
  });
});
