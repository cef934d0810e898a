import { createHmac } from 'node:crypto';
import { FakeProvider, type FakeReply, type RecordedRequest } from './fake-server.js';

const graphError = (
  status: number,
  code: number,
  message: string,
  type = 'OAuthException',
  sub?: number,
): FakeReply => ({
  status,
  body: {
    error: { message, type, code, ...(sub ? { error_subcode: sub } : {}), fbtrace_id: 'AbCdEf123' },
  },
});

/**
 * A fake Graph API (Messenger Send API, Page comments, WhatsApp Cloud API) on loopback. It checks
 * what Graph checks — a known Bearer token and a matching `appsecret_proof` — and answers with
 * Graph's success and error bodies (`{error: {message, type, code, error_subcode, fbtrace_id}}`).
 */
export class FakeMeta extends FakeProvider {
  version = 'v21.0';
  pageId = '1234567890';
  pageName = 'Acme Care';
  phoneId = '106540352242922';
  pageToken = 'page-token';
  waToken = 'wa-token';
  scripted: FakeReply[] = [];
  sent: { kind: string; path: string; body: Record<string, unknown> }[] = [];
  private n = 0;
  /**
   * Put what a refused request carried (its Authorization header and appsecret_proof) into the
   * error it gets, as a careless proxy before Graph might: for tests that none of it leaks.
   */
  echoCredentials = false;
  constructor(private readonly appSecret: string) {
    super();
  }
  script(...r: FakeReply[]) {
    this.scripted.push(...r);
  }

  protected route(r: RecordedRequest): FakeReply {
    const token = /^Bearer (.+)$/.exec(r.headers.authorization ?? '')?.[1];
    if (!token || ![this.pageToken, this.waToken].includes(token)) {
      const carried = `${r.headers.authorization} appsecret_proof=${r.query.get('appsecret_proof')}`;
      return graphError(
        400,
        190,
        `Invalid OAuth access token - Cannot parse access token${this.echoCredentials ? `: ${carried}` : ''}`,
      );
    }
    const proof = createHmac('sha256', this.appSecret).update(token).digest('hex');
    if (r.query.get('appsecret_proof') !== proof) {
      return graphError(
        400,
        100,
        'Invalid appsecret_proof provided in the API argument',
        'GraphMethodException',
      );
    }
    const next = this.scripted.shift();
    if (next) return next;
    const parts = r.path.split('/').filter(Boolean);
    if (parts[0] !== this.version) return graphError(400, 2500, 'Unknown path components');
    const [, id, edge] = parts;
    const body = r.body ? (JSON.parse(r.body) as Record<string, unknown>) : {};
    if (r.method === 'GET' && id === this.pageId && !edge)
      return { status: 200, body: { id: this.pageId, name: this.pageName } };
    if (r.method === 'GET' && id === this.phoneId && !edge) {
      return {
        status: 200,
        body: { id: this.phoneId, display_phone_number: '+1 555-010-0000', verified_name: 'Acme' },
      };
    }
    if (r.method !== 'POST')
      return graphError(400, 100, 'Unsupported get request.', 'GraphMethodException');
    this.n++;
    if (id === this.phoneId && edge === 'messages') {
      if (token !== this.waToken) return graphError(400, 190, 'Invalid OAuth access token');
      if (body.messaging_product !== 'whatsapp') return graphError(400, 100, 'Invalid parameter');
      this.sent.push({ kind: 'whatsapp', path: r.path, body });
      return {
        status: 200,
        body: {
          messaging_product: 'whatsapp',
          contacts: [{ input: body.to, wa_id: body.to }],
          messages: [{ id: `wamid.FAKE${this.n}` }],
        },
      };
    }
    if (id === this.pageId && edge === 'messages') {
      const recipient = body.recipient as Record<string, string> | undefined;
      if (!recipient?.id && !recipient?.comment_id)
        return graphError(400, 100, '(#100) The parameter recipient is required');
      if (body.messaging_type === 'MESSAGE_TAG' && body.tag !== 'HUMAN_AGENT')
        return graphError(400, 100, 'Invalid tag');
      this.sent.push({
        kind: recipient.comment_id ? 'private_reply' : 'message',
        path: r.path,
        body,
      });
      return {
        status: 200,
        body: { recipient_id: recipient.id ?? '5678', message_id: `m_FAKE${this.n}` },
      };
    }
    if (edge === 'comments' || edge === 'replies') {
      this.sent.push({ kind: 'comment', path: r.path, body });
      return { status: 200, body: { id: `${id.split('_')[0]}_${900000 + this.n}` } };
    }
    if (!edge && 'is_hidden' in body) {
      this.sent.push({ kind: 'hide', path: r.path, body });
      return { status: 200, body: { success: true } };
    }
    return graphError(400, 100, 'Unsupported post request.', 'GraphMethodException');
  }
}

export { graphError };
