import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestApp, testApp } from '../../../test/builders.js';
import { createChannel, deliverX, X_SECRET } from '../../../test/fakes/channels.js';
import { hasSharedData, sharedDataPath } from '../../../test/fakes/shared-data.js';
import { ENGINES } from '../../../test/support/engines.js';
import { loadTwcs, type TwcsRow } from '../../import/twcs.js';
import { appendInbound } from '../../ingest/inbound.log.js';

const FILE = 'twcs/twcs_first5000_telecom_threads.csv';
const BRAND = 'comcastcares';
const BRAND_ID = '9000000001';

/** Tweet id → the set of tweet ids sharing its case, as sorted groups (a partition). */
async function partition(t: TestApp, ids: string[]): Promise<string[][]> {
  const rows = await t.app.database.db
    .selectFrom('messages')
    .select(['external_id', 'case_id'])
    .where('channel', '=', 'x')
    .where('external_id', 'in', ids)
    .execute();
  const groups = new Map<string, string[]>();
  for (const r of rows) {
    const k = r.case_id ?? `orphan:${r.external_id}`;
    groups.set(k, [...(groups.get(k) ?? []), r.external_id]);
  }
  return [...groups.values()].map((g) => g.sort()).sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/** A twcs row as the v1.1 Tweet object an Account Activity webhook would deliver. */
function asTweet(row: TwcsRow) {
  return {
    created_at: row.record.created_at,
    id_str: row.tweetId,
    text: row.text,
    user: { id_str: row.authorId === BRAND ? BRAND_ID : row.authorId, screen_name: row.authorId },
    in_reply_to_status_id_str: row.inResponseToTweetId,
  };
}

describe.runIf(hasSharedData(FILE)).each(ENGINES)(
  'the real twcs sample as X webhook traffic on %s',
  (engine) => {
    let imported: TestApp;
    let hooked: TestApp;
    beforeAll(async () => {
      [imported, hooked] = await Promise.all([testApp(engine), testApp(engine)]);
    });
    afterAll(async () => {
      await imported?.close();
      await hooked?.close();
    });

    it(`produces the same cases as the importer (threads answered by @${BRAND})`, async () => {
      const twcs = await loadTwcs(sharedDataPath(FILE), { detectAnonymisedAgents: false });
      const rowsById = new Map(twcs.rows.map((r) => [r.tweetId, r]));
      // One X account per channel: keep the threads where this brand is the only brand.
      const threadOf = (r: TwcsRow) => r.record.thread_id;
      const brandThreads = new Set(
        twcs.rows.filter((r) => r.record.telecom_brands === BRAND).map(threadOf),
      );
      const ours = twcs.messages.filter((m) => {
        const row = rowsById.get(m.externalId)!;
        return (
          brandThreads.has(threadOf(row)) && (row.authorId === BRAND || /^\d+$/.test(row.authorId))
        );
      });
      expect(ours.length).toBeGreaterThan(50);
      const ids = ours.map((m) => m.externalId);

      await appendInbound(
        imported.app.database.db,
        imported.app.workspace.workspaceId,
        ours,
        Date.now(),
      );
      await imported.app.pipeline.drain();

      const channelId = await createChannel(hooked, {
        kind: 'x',
        name: BRAND,
        config: { accountId: BRAND_ID, handle: BRAND },
        secrets: { consumerSecret: X_SECRET },
      });
      // Deliveries of up to 7 events each, in the order X would send them (by time).
      for (let i = 0; i < ours.length; i += 7) {
        const events = ours.slice(i, i + 7).map((m) => asTweet(rowsById.get(m.externalId)!));
        const res = await deliverX(
          hooked,
          channelId,
          JSON.stringify({ for_user_id: BRAND_ID, tweet_create_events: events }),
        );
        expect(res.statusCode).toBe(200);
      }
      await hooked.app.pipeline.drain();

      const a = await partition(imported, ids);
      const b = await partition(hooked, ids);
      expect(b.flat().length).toBe(ids.length);
      expect(b).toEqual(a);
      const brandOut = await hooked.app.database.db
        .selectFrom('messages')
        .select((e) => e.fn.countAll().as('n'))
        .where('direction', '=', 'out')
        .executeTakeFirstOrThrow();
      expect(Number(brandOut.n)).toBe(ours.filter((m) => m.direction === 'out').length);
    });
  },
);
