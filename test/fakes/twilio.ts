import { randomBytes } from 'node:crypto';
import type { App } from '../../src/app.js';
import { twilioSignature } from '../../src/channels/sms/sms.verify.js';
import { FakeProvider, type FakeReply, type RecordedRequest } from './fake-server.js';

/** A Twilio REST error body (twilio.com/docs/usage/twilios-response). */
export function twilioError(status: number, code: number, message: string): FakeReply {
  return {
    status,
    body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
  };
}

export interface FakeSms {
  sid: string;
  to: string;
  from: string;
  body: string;
}

/**
 * A fake Twilio Programmable Messaging API on loopback, speaking the documented protocol:
 * `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` with form-encoded `To`, `From`, `Body`
 * and HTTP basic auth (Account SID : Auth Token). It answers 201 with the Message resource
 * (`sid` SM…, `status: queued`), or Twilio's error JSON: 401/20003 on bad credentials, 404/20404
 * on another path, 400/21604 or 21602 on a missing field, 400/21211 on a To that is not E.164.
 * Scripted replies (e.g. a 429/20429 or a 500) are answered first, after auth and validation.
 */
export class FakeTwilio extends FakeProvider {
  accountSid = `AC${'0123456789abcdef'.repeat(2)}`;
  authToken = 'fake-twilio-auth-token';
  sent: FakeSms[] = [];
  /**
   * Put the credentials a request carried into the 401 it gets, as a careless Twilio-compatible
   * gateway might (Twilio itself does not): for tests that the token never reaches logs or health.
   */
  echoCredentials = false;
  /** As `echoCredentials`, but the Authorization header as it came (`Basic <base64>`). */
  echoAuthorization = false;
  scripted: FakeReply[] = [];

  /** The admin API's payload for an SMS channel on this fake, sending from `from`. */
  channelPayload(from: string, name = 'Care number') {
    return {
      kind: 'sms',
      name,
      config: { accountSid: this.accountSid, from, apiBaseUrl: this.url },
      secrets: { authToken: this.authToken },
    };
  }
  /**
   * Twilio's signed status callback (`MessageStatus`, `ErrorCode`) for a message it was sent, as
   * the SMS channel's webhook receives it.
   */
  statusCallback(
    app: Pick<App, 'http'>,
    channel: { id: string; webhookUrl: string },
    sid: string,
    status: string,
    errorCode: string,
  ) {
    const body = new URLSearchParams({
      MessageSid: sid,
      MessageStatus: status,
      ErrorCode: errorCode,
      AccountSid: this.accountSid,
    });
    return app.http.inject({
      method: 'POST',
      url: `/webhooks/sms/${channel.id}`,
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-twilio-signature': twilioSignature(this.authToken, channel.webhookUrl, body),
      },
      payload: body.toString(),
    });
  }

  script(...replies: FakeReply[]) {
    this.scripted.push(...replies);
  }

  /** `sid:token` from the request's basic auth, or '' without it. */
  private credentials(r: RecordedRequest): string {
    const h = r.headers.authorization ?? '';
    return h.startsWith('Basic ') ? Buffer.from(h.slice(6), 'base64').toString('utf8') : '';
  }

  private authorised(r: RecordedRequest): boolean {
    return this.credentials(r) === `${this.accountSid}:${this.authToken}`;
  }

  protected route(r: RecordedRequest): FakeReply {
    if (!this.authorised(r))
      return twilioError(
        401,
        20003,
        this.echoCredentials
          ? `Authenticate: refused ${this.credentials(r)}`
          : this.echoAuthorization
            ? `Authenticate: refused ${r.headers.authorization}`
            : 'Authenticate',
      );
    const account = `/2010-04-01/Accounts/${this.accountSid}`;
    if (r.method === 'GET' && r.path === `${account}.json`)
      return {
        status: 200,
        body: { sid: this.accountSid, friendly_name: 'Fake', status: 'active' },
      };
    if (r.method !== 'POST' || r.path !== `${account}/Messages.json`)
      return twilioError(404, 20404, `The requested resource ${r.path} was not found`);
    if (!String(r.headers['content-type']).startsWith('application/x-www-form-urlencoded'))
      return twilioError(400, 20001, 'Content-Type must be application/x-www-form-urlencoded');
    const form = new URLSearchParams(r.body);
    const to = form.get('To');
    const from = form.get('From');
    const body = form.get('Body');
    if (!to) return twilioError(400, 21604, "A 'To' phone number is required.");
    if (!from) return twilioError(400, 21603, "A 'From' phone number is required.");
    if (!body) return twilioError(400, 21602, 'Message body is required.');
    if (!/^\+[1-9]\d{6,14}$/.test(to))
      return twilioError(400, 21211, `The 'To' number ${to} is not a valid phone number.`);
    const next = this.scripted.shift();
    if (next) return next;
    const sid = `SM${randomBytes(16).toString('hex')}`;
    this.sent.push({ sid, to, from, body });
    const now = new Date().toUTCString().replace('GMT', '+0000');
    return {
      status: 201,
      body: {
        sid,
        account_sid: this.accountSid,
        to,
        from,
        body,
        status: 'queued',
        direction: 'outbound-api',
        num_segments: String(Math.ceil(body.length / 153)),
        num_media: '0',
        api_version: '2010-04-01',
        date_created: now,
        date_updated: now,
        date_sent: null,
        error_code: null,
        error_message: null,
        price: null,
        uri: `${account}/Messages/${sid}.json`,
      },
    };
  }
}
