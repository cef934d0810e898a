import type { App } from '../../app.js';
import { rng } from '../../platform/random.js';
import { signXBody } from './x.verify.js';

export interface StormOptions {
  channelId: string;
  consumerSecret: string;
  accountId: string;
  deliveries: number;
  /** Share of deliveries that repeat an earlier one (providers re-deliver). */
  duplicateRate: number;
  /** Concurrent deliveries per burst. */
  burst: number;
  seed?: number;
}

export interface StormResult {
  deliveries: number;
  uniqueTweets: number;
  accepted: number;
  duplicates: number;
  non200: number;
  seconds: number;
  deliveriesPerSecond: number;
}

/**
 * An outage storm against the X webhook: signed single-event deliveries of customer tweets
 * (some replying to others), a share of them repeated, the whole sequence shuffled, sent in
 * concurrent bursts through the app's HTTP layer. Used by the storm test and `npm run bench`.
 */
export async function runXWebhookStorm(app: App, o: StormOptions): Promise<StormResult> {
  // Seeded, so a storm is reproducible.
  const rand = rng(o.seed ?? 42);
  const unique = Math.round(o.deliveries * (1 - o.duplicateRate));
  const base = 1600000000000000000n;
  const start = Date.parse('2026-11-02T08:10:00Z');
  const bodies: string[] = [];
  for (let i = 0; i < unique; i++) {
    const replyTo = i > 10 && rand() < 0.3 ? String(base + BigInt(Math.floor(rand() * i))) : null;
    bodies.push(
      JSON.stringify({
        for_user_id: o.accountId,
        tweet_create_events: [
          {
            id_str: String(base + BigInt(i)),
            text: `@acme no signal in 94110 since 8am (${i})`,
            user: {
              id_str: String(100000 + Math.floor(rand() * 2000)),
              screen_name: `c${i % 2000}`,
            },
            in_reply_to_status_id_str: replyTo,
            timestamp_ms: String(start + i * 50),
          },
        ],
      }),
    );
  }
  const all = [...bodies];
  while (all.length < o.deliveries) all.push(bodies[Math.floor(rand() * bodies.length)]);
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [all[i], all[j]] = [all[j], all[i]];
  }
  let accepted = 0;
  let duplicates = 0;
  let non200 = 0;
  const t0 = performance.now();
  for (let i = 0; i < all.length; i += o.burst) {
    const replies = await Promise.all(
      all.slice(i, i + o.burst).map((payload) =>
        app.http.inject({
          method: 'POST',
          url: `/webhooks/x/${o.channelId}`,
          headers: {
            'content-type': 'application/json',
            'x-twitter-webhooks-signature': signXBody(payload, o.consumerSecret),
          },
          payload,
        }),
      ),
    );
    for (const r of replies) {
      if (r.statusCode !== 200) {
        non200++;
        continue;
      }
      const j = r.json() as { accepted: number; duplicates: number };
      accepted += j.accepted;
      duplicates += j.duplicates;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  return {
    deliveries: all.length,
    uniqueTweets: unique,
    accepted,
    duplicates,
    non200,
    seconds,
    deliveriesPerSecond: all.length / seconds,
  };
}
