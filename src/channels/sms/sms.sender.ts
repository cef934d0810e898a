import { normalisePhone, phoneCountry } from '../../customers/identity.keys.js';
import { type HttpResult, providerCall } from '../channel.http.js';
import { obj, str } from '../channel.json.js';
import { hasChannel, resolveChannel } from '../channel.resolve.js';
import { recordError, recordSuccess } from '../channel.state.js';
import { ConnectorError, RuleError, secretForms } from '../connector-error.js';
import type { ChannelDeps } from '../routes.js';
import type { Sender } from '../sender.js';
import { fromTwilioError } from './sms.errors.js';
import { smsTooLong } from './sms.length.js';
import {
  DEFAULT_TWILIO_BASE_URL,
  type SmsChannel,
  type SmsConfig,
  type SmsSecrets,
} from './sms.types.js';

/**
 * The customer's number as Twilio wants it (E.164), normalised as identities are. A number written
 * without a country code is read in the country of our own number, the likeliest place for a
 * customer who texts it. An address that is no valid number goes as it is, for Twilio to refuse
 * (21211) with its own reason.
 */
export function smsRecipient(address: string, ourNumber: string): string {
  return normalisePhone(address, phoneCountry(ourNumber)) ?? address;
}

/**
 * The channel's credentials as an SMS call may carry them: the Auth Token, and the basic-auth
 * header built from it (base64 of `sid:token`, which holds no copy of the token as such).
 */
const secretsOf = (ch: SmsChannel) => secretForms(Object.values(ch.secrets), [basic(ch)]);

/**
 * A Twilio failure as a connector error, the channel's credentials blanked: Twilio does not echo
 * them, but a Twilio-compatible gateway may, and the text goes to agents, logs and the health.
 */
const twilioFailure = (ch: SmsChannel, res: HttpResult, now: number) =>
  fromTwilioError(res.status, res.text, res.headers.get('retry-after'), now, secretsOf(ch));

const basic = (ch: SmsChannel) =>
  `Basic ${Buffer.from(`${ch.config.accountSid}:${ch.secrets.authToken}`).toString('base64')}`;
const accountUrl = (ch: SmsChannel) =>
  `${(ch.config.apiBaseUrl ?? DEFAULT_TWILIO_BASE_URL).replace(/\/$/, '')}/2010-04-01/Accounts/${encodeURIComponent(ch.config.accountSid)}`;

/**
 * Sends an SMS through the Programmable Messaging API: `POST /2010-04-01/Accounts/{sid}/Messages.json`,
 * form-encoded `To`, `From`, `Body`, HTTP basic auth with the Account SID and Auth Token. The
 * answer's `sid` (SM…) becomes the message's external id. The Messages API takes no idempotency
 * key: a 429 is never processed and is retried safely, but a 5xx or a timeout may hide a sent
 * message, so such a retry can deliver the text twice (the lesser harm than not at all).
 */
export function smsSender(deps: ChannelDeps): Sender {
  const send: Sender = async (msg) => {
    const ch = await resolveChannel<SmsConfig, SmsSecrets>(deps, 'sms', msg.channelId);
    // Not temporary: nothing changes by itself, so a retry for the outbox's 24 hours would only
    // hide from the desk that the reply went nowhere. An admin must act (add a number), and the
    // agent sees the reply failed at once; no provider refused anything, so not a permission.
    if (!ch) throw new ConnectorError('not_configured', 'no SMS channel is configured');
    checkSmsLength(msg.text);
    try {
      const res = await providerCall(`${accountUrl(ch)}/Messages.json`, {
        method: 'POST',
        headers: {
          authorization: basic(ch),
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: new URLSearchParams({
          To: smsRecipient(msg.to, ch.config.from),
          From: ch.config.from,
          Body: msg.text,
        }).toString(),
        secrets: secretsOf(ch),
      });
      if (res.status < 200 || res.status >= 300) throw twilioFailure(ch, res, deps.clock());
      let sid: string | undefined;
      try {
        sid = str(obj(JSON.parse(res.text))?.sid);
      } catch {
        sid = undefined;
      }
      await recordSuccess(deps.db, deps.workspaceId, ch.id, deps.clock());
      return sid ? { externalId: sid } : {};
    } catch (err) {
      if (err instanceof ConnectorError)
        await recordError(deps.db, deps.workspaceId, ch.id, err, deps.clock());
      throw err;
    }
  };
  send.ready = () => hasChannel(deps, 'sms');
  send.configured = (db) => hasChannel(deps, 'sms', db);
  send.check = async (_db, msg) => checkSmsLength(msg.text);
  return send;
}

/** Refused here, with the reason, rather than by Twilio's 21617 after a round trip. */
function checkSmsLength(text: string): void {
  const tooLong = smsTooLong(text);
  if (tooLong) throw new RuleError('bad_request', 'too_long', 'sms_length', tooLong);
}

/** Reads the account (`GET /2010-04-01/Accounts/{sid}.json`) with the stored credentials. */
export async function smsTestConnection(
  ch: SmsChannel,
  now: number,
): Promise<Record<string, string | undefined>> {
  const res = await providerCall(`${accountUrl(ch)}.json`, {
    method: 'GET',
    headers: { authorization: basic(ch), accept: 'application/json' },
    secrets: secretsOf(ch),
  });
  if (res.status !== 200) throw twilioFailure(ch, res, now);
  const account = obj(JSON.parse(res.text));
  return { accountSid: str(account?.sid), name: str(account?.friendly_name), from: ch.config.from };
}
