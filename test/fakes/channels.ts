import { parse as parseLossless, stringify as stringifyLossless } from 'lossless-json';
import { signMetaBody } from '../../src/channels/meta/meta.verify.js';
import { signXBody } from '../../src/channels/x/x.verify.js';
import type { TestApp } from '../builders.js';
import { asAdmin } from '../builders.js';
import { readSharedText } from './shared-data.js';

export const X_SECRET = 'x-consumer-secret-for-tests';
export const META_APP_SECRET = 'meta-app-secret-for-tests';
export const META_VERIFY_TOKEN = 'verify-me';

/** POSTs `body` to the admin API's channels as the admin; the answer, for the test to judge. */
export function postChannel(t: Pick<TestApp, 'app' | 'auth'>, body: unknown) {
  return asAdmin(t, 'POST', '/api/v1/channels', body);
}

/** Creates a channel through the admin API; returns its id. */
export async function createChannel(
  t: TestApp,
  body: {
    kind: string;
    name: string;
    config?: Record<string, unknown>;
    secrets: Record<string, unknown>;
  },
): Promise<string> {
  const res = await postChannel(t, body);
  if (res.statusCode !== 201)
    throw new Error(`channel create failed: ${res.statusCode} ${res.body}`);
  return res.json().id as string;
}

/** POSTs a body to the X webhook, signed like X signs it unless told otherwise. */
export function deliverX(t: TestApp, channelId: string, raw: string, signature?: string) {
  return t.app.http.inject({
    method: 'POST',
    url: `/webhooks/x/${channelId}`,
    headers: {
      'content-type': 'application/json',
      'x-twitter-webhooks-signature': signature ?? signXBody(raw, X_SECRET),
    },
    payload: raw,
  });
}

export function deliverMeta(t: TestApp, channelId: string, raw: string, signature?: string) {
  return t.app.http.inject({
    method: 'POST',
    url: `/webhooks/meta/${channelId}`,
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': signature ?? signMetaBody(raw, META_APP_SECRET),
    },
    payload: raw,
  });
}

/** A shared-data JSON file parsed losslessly (big numbers kept as they are written). */
export function readLossless(...parts: string[]): unknown {
  return parseLossless(readSharedText(...parts));
}

/** Serialises with big numbers written exactly as in the source (as X's v1.1 payloads do). */
export function stringifyExact(value: unknown): string {
  return stringifyLossless(value) ?? '';
}

/** The v1.1 Tweet objects of the tweepy search cassette, losslessly. */
export function v1Statuses(): Record<string, unknown>[] {
  const cassette = readLossless('x-twitter-api/tweepy-cassettes/testsearchtweets.json') as {
    interactions: { response: { body: { statuses: Record<string, unknown>[] } } }[];
  };
  return cassette.interactions.flatMap((i) => i.response.body.statuses ?? []);
}
