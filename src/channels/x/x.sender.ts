import { latestVersionId } from '../channel.edits.js';
import {
  type RateLimitState,
  readState,
  recordError,
  recordSuccess,
  writeRateLimit,
} from '../channel.state.js';
import { loadChannel } from '../channel.store.js';
import {
  DEFAULT_X_BASE_URL,
  type XChannel,
  type XConfig,
  type XSecrets,
} from '../channel.types.js';
import { ConnectorError, RuleError } from '../connector-error.js';
import type { ChannelDeps } from '../routes.js';
import type { Sender } from '../sender.js';
import { XClient } from './x.client.js';
import { X_MAX_WEIGHTED_LENGTH, xWeightedLength } from './x.length.js';

/** DMs may hold 10,000 characters (developer.x.com, Direct Messages). */
const X_DM_MAX = 10_000;

export function xClientFor(deps: ChannelDeps, ch: XChannel): XClient {
  return new XClient({
    baseUrl: ch.config.apiBaseUrl ?? DEFAULT_X_BASE_URL,
    bearerToken: ch.secrets.bearerToken,
    userAccessToken: ch.secrets.userAccessToken,
    otherSecrets: Object.values(ch.secrets),
    clock: deps.clock,
    log: deps.log,
    onRateLimit: (family, state) =>
      writeRateLimit(deps.db, deps.workspaceId, ch.id, family, state, deps.clock()),
  });
}

/** Refuses a public reply X would reject or that we would have to split. */
export function checkXLength(text: string, visibility: 'public' | 'private'): void {
  if (visibility === 'public') {
    const n = xWeightedLength(text);
    if (n > X_MAX_WEIGHTED_LENGTH) {
      throw new RuleError(
        'bad_request',
        'too_long',
        'x_public_length',
        `a public reply on X may weigh ${X_MAX_WEIGHTED_LENGTH} characters and this one weighs ${n}; we never split a public reply: shorten it or continue in a DM`,
      );
    }
  } else if ([...text].length > X_DM_MAX) {
    throw new RuleError(
      'bad_request',
      'too_long',
      'x_dm_length',
      `an X DM holds at most ${X_DM_MAX} characters`,
    );
  }
}

/**
 * When a send may call X again (undefined: now): the later of a 429's block and the reset of a
 * window X said is spent.
 */
function waitUntil(rl: RateLimitState | undefined, now: number): number | undefined {
  if (!rl) return undefined;
  const spent = rl.remaining === 0 ? (rl.resetAt ?? 0) : 0;
  const until = Math.max(rl.blockedUntil ?? 0, spent);
  return until > now ? until : undefined;
}

/**
 * Sends on X: a public reply in the conversation (`in_reply_to_tweet_id` = the customer's post)
 * or a DM to the customer. X has no idempotency key; the outbox retries only on errors where X
 * did not take the post (429, 5xx, network), and X itself refuses an exact duplicate post. Any
 * 2xx is a post X took, with or without an id in its body (`XClient.reply`).
 */
export function xSender(deps: ChannelDeps): Sender {
  const send: Sender = async (msg) => {
    if (!msg.channelId) throw new ConnectorError('bad_request', 'the message names no X channel');
    const ch = await loadChannel<XConfig, XSecrets>(
      deps.db,
      deps.secretKey,
      deps.workspaceId,
      msg.channelId,
      'x',
    );
    if (!ch || ch.disabledAt) {
      throw new ConnectorError('bad_request', `X channel ${msg.channelId} is unknown or disabled`);
    }
    checkXLength(msg.text, msg.visibility);
    // X said to wait (a 429 named its reset), or its last answer said the window is spent
    // (x-rate-limit-remaining: 0 before x-rate-limit-reset, as the poller reads it): calling
    // before the reset only earns a 429, so the send is deferred to it without a call.
    const family = msg.visibility === 'public' ? 'tweets' : 'dm';
    const now = deps.clock();
    const blockedUntil = waitUntil((await readState(deps.db, ch.id)).rateLimits[family], now);
    if (blockedUntil !== undefined)
      throw new ConnectorError(
        'rate_limited',
        `X rate limit: ${family} blocked until ${new Date(blockedUntil).toISOString()}, not called`,
        blockedUntil - now,
        429,
      );
    const client = xClientFor(deps, ch);
    try {
      // The customer may have edited their post since: the reply answers its latest version.
      const target = msg.inReplyTo
        ? await latestVersionId(deps.db, deps.workspaceId, 'x', msg.inReplyTo)
        : msg.inReplyTo;
      const externalId =
        msg.visibility === 'public'
          ? await client.reply(msg.text, target)
          : await client.sendDm(msg.to, msg.text);
      await recordSuccess(deps.db, deps.workspaceId, ch.id, deps.clock());
      // A 2xx without an id (the client logged it) is sent all the same: our `tl-` id stays.
      return externalId ? { externalId } : {};
    } catch (err) {
      if (err instanceof ConnectorError) {
        await recordError(deps.db, deps.workspaceId, ch.id, err, deps.clock());
      }
      throw err;
    }
  };
  // A reply goes out on the channel record the conversation arrived on.
  send.ready = async (msg) => msg.channelId !== null;
  // X has no messaging window (a DM the person does not accept is X's to refuse): length only.
  send.check = async (_db, msg) => checkXLength(msg.text, msg.visibility);
  return send;
}
