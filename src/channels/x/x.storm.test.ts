import { describe, expect, it } from 'vitest';
import { createChannel, X_SECRET } from '../../../test/fakes/channels.js';
import { ENGINES } from '../../../test/support/engines.js';
import { suiteApp } from '../../../test/support/suite.js';
import { runXWebhookStorm } from './x.storm.js';

describe.each(ENGINES)('X webhook storm on %s', (engine) => {
  const t = suiteApp(engine);

  it('10,000 shuffled deliveries with 10 % duplicates: every tweet stored exactly once', async () => {
    const channelId = await createChannel(t, {
      kind: 'x',
      name: 'storm',
      config: { accountId: '1' },
      secrets: { consumerSecret: X_SECRET },
    });
    const r = await runXWebhookStorm(t.app, {
      channelId,
      consumerSecret: X_SECRET,
      accountId: '1',
      deliveries: 10_000,
      duplicateRate: 0.1,
      burst: 100,
    });
    console.log(
      `storm on ${engine}: ${r.deliveries} deliveries in ${r.seconds.toFixed(1)} s = ${Math.round(r.deliveriesPerSecond)}/s`,
    );
    expect(r.non200).toBe(0);
    expect(r.accepted).toBe(r.uniqueTweets);
    expect(r.accepted + r.duplicates).toBe(10_000);
    await t.app.pipeline.drain();
    const n = async (table: 'messages' | 'inbound_events') =>
      Number(
        (
          await t.app.database.db
            .selectFrom(table)
            .select((e) => e.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await n('inbound_events')).toBe(r.uniqueTweets);
    expect(await n('messages')).toBe(r.uniqueTweets);
    const parked = await t.app.database.db
      .selectFrom('inbound_events')
      .select('seq')
      .where('status', '!=', 'done')
      .execute();
    expect(parked).toEqual([]);
  }, 180_000);
});
