/**
 * Test helpers for the X channel's send tests (outbound, edits, rate limits): a desk with one X
 * channel on a fake X API, customers' posts through its webhook, and agents' replies. Not a test
 * file; imported by them.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import { asAdmin, caseIdOf } from '../../../test/builders.js';
import { createChannel, deliverX, X_SECRET } from '../../../test/fakes/channels.js';
import { FakeX } from '../../../test/fakes/x-provider.js';
import type { Engine } from '../../../test/support/engines.js';
import { suiteApp } from '../../../test/support/suite.js';

/** The desk's own X account: the channel's `accountId`, the `for_user_id` of every event. */
export const OUR = '835740314006511618';

/** A v1.1 Tweet object as Account Activity sends it in `tweet_create_events`. */
export const aTweet = (
  id: string,
  author: string,
  screenName: string,
  text: string,
  at: number,
  extra = {},
) => ({
  id_str: id,
  text,
  user: { id_str: author, screen_name: screenName },
  timestamp_ms: String(at),
  ...extra,
});

/**
 * A fresh desk of `engine` (the suite's, made in beforeAll, closed in afterAll) with one X
 * channel for our account on a fake X API.
 */
export function xDeskWorld(engine: Engine) {
  const t = suiteApp(engine);
  let fake: FakeX;
  let channelId: string;
  beforeAll(async () => {
    fake = await new FakeX().start();
    channelId = await createChannel(t, {
      kind: 'x',
      name: 'X',
      config: { accountId: OUR, apiBaseUrl: fake.url },
      secrets: { consumerSecret: X_SECRET, userAccessToken: fake.userToken },
    });
  });
  afterAll(async () => {
    await fake?.close();
  });
  const db = () => t.app.database.db;

  return {
    t,
    get fake() {
      return fake;
    },
    get channelId() {
      return channelId;
    },
    db,
    /** POSTs an event body (its JSON text) to the channel's webhook, signed as X signs it. */
    deliver: (raw: string) => deliverX(t, channelId, raw),
    /** A customer's event, accepted by the webhook and ingested; returns the case of `externalId`. */
    async ingest(body: Record<string, unknown>, externalId: string) {
      expect((await deliverX(t, channelId, JSON.stringify(body))).statusCode).toBe(200);
      await t.app.pipeline.drain();
      return caseIdOf(db(), externalId);
    },
    /** An agent's reply on the case through the API (accepted); returns the reply. */
    async reply(caseId: string, text: string, visibility?: 'public' | 'private') {
      const res = await asAdmin(t, 'POST', `/api/v1/cases/${caseId}/replies`, {
        text,
        ...(visibility ? { visibility } : {}),
      });
      expect(res.statusCode).toBeLessThan(300);
      return res.json() as { id: string };
    },
  };
}
