import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asAdmin, type TestApp, testApp } from '../../test/builders.js';
import { createChannel, deliverX, X_SECRET } from '../../test/fakes/channels.js';
import { FakeX } from '../../test/fakes/x-provider.js';
import { ENGINES } from '../../test/support/engines.js';

const FIRST = '111100001111';
const SECOND = '222200002222';

/**
 * With two X accounts on one desk, the handoff invites the customer to DM the account they wrote
 * to (the one answering them in public), not whichever X channel the database lists first.
 */
describe.each(ENGINES)('public → private handoff with two X accounts on %s', (engine) => {
  let t: TestApp;
  let fake: FakeX;
  let second: string;

  beforeAll(async () => {
    fake = await new FakeX().start();
    t = await testApp(engine);
    for (const [name, accountId] of [
      ['Brand', FIRST],
      ['Brand support', SECOND],
    ]) {
      const id = await createChannel(t, {
        kind: 'x',
        name,
        config: { accountId, apiBaseUrl: fake.url },
        secrets: { consumerSecret: X_SECRET, userAccessToken: fake.userToken },
      });
      if (accountId === SECOND) second = id;
    }
  });
  afterAll(async () => {
    await t?.close();
    await fake?.close();
  });

  it('links to the account the customer wrote to', async () => {
    const tweetId = '1600000000000000077';
    const body = {
      for_user_id: SECOND,
      tweet_create_events: [
        {
          id_str: tweetId,
          text: '@brandsupport my bill doubled, why?',
          user: { id_str: '99001', screen_name: 'pat' },
          timestamp_ms: String(Date.now() - 60_000),
        },
      ],
    };
    expect((await deliverX(t, second, JSON.stringify(body))).statusCode).toBe(200);
    await t.app.pipeline.drain();
    const { case_id } = await t.app.database.db
      .selectFrom('messages')
      .select('case_id')
      .where('external_id', '=', tweetId)
      .executeTakeFirstOrThrow();
    const res = await asAdmin(t, 'POST', `/api/v1/cases/${case_id}/handoff`, { to: 'dm' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().link).toBe(`https://twitter.com/messages/compose?recipient_id=${SECOND}`);
    expect(res.json().message.text).toContain(`recipient_id=${SECOND}`);
  });
});
