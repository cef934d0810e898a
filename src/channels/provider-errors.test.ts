import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aMessage, asAdmin, caseIdOf, type TestApp, testApp } from '../../test/builders.js';
import { createChannel, META_APP_SECRET, X_SECRET } from '../../test/fakes/channels.js';
import { FakeMeta, graphError } from '../../test/fakes/meta-provider.js';
import { FakeTwilio } from '../../test/fakes/twilio.js';
import { FakeX } from '../../test/fakes/x-provider.js';
import { ENGINES } from '../../test/support/engines.js';
import { captureLogs } from '../../test/support/logs.js';
import { appendInbound } from '../ingest/inbound.log.js';
import { appSecretProof } from './meta/meta.verify.js';

/*
 * What X, Meta and Twilio (or a gateway before them) answer in an error reaches the agent
 * (`failure.why`, the live `message.status`), the admin (the channel's health, the connection
 * test) and the logs. The fakes here echo the credentials they refused and the customer's words:
 * no credential, in any form the desk sent it, may come out anywhere; the customer's words may
 * reach the logs only with THROUGHLINE_LOG_BODIES, while the agent still reads why.
 */
const b64 = (s: string) => Buffer.from(s).toString('base64').replace(/=+$/, '');
const SUITES = ENGINES.flatMap((e) => [
  [e, false],
  [e, true],
]) as [(typeof ENGINES)[number], boolean][];

describe.each(SUITES)('provider error text on %s, log bodies %s', (engine, logBodies) => {
  let t: TestApp;
  let x: FakeX;
  let meta: FakeMeta;
  let twilio: FakeTwilio;
  const logs = captureLogs();
  const ids = { x: '', meta: '', sms: '' };
  const stored = {
    xUser: 'x-user-token-STORED-7a1c9e',
    metaPage: 'meta-page-token-STORED-44d1',
    metaWa: 'meta-wa-token-STORED-91fe02',
    twilio: 'twilio-auth-token-STORED-5be7',
  };
  beforeAll(async () => {
    x = await new FakeX().start();
    meta = await new FakeMeta(META_APP_SECRET).start();
    twilio = await new FakeTwilio().start();
    x.userToken = stored.xUser;
    meta.pageToken = stored.metaPage;
    meta.waToken = stored.metaWa;
    twilio.authToken = stored.twilio;
    t = await testApp(engine, { logBodies }, { logger: logs.logger });
    ids.x = await createChannel(t, {
      kind: 'x',
      name: 'X',
      config: { accountId: x.me.id, apiBaseUrl: x.url },
      secrets: { consumerSecret: X_SECRET, userAccessToken: stored.xUser },
    });
    ids.meta = await createChannel(t, {
      kind: 'meta',
      name: 'Meta',
      config: { whatsappPhoneNumberId: meta.phoneId, graphBaseUrl: meta.url },
      secrets: {
        appSecret: META_APP_SECRET,
        verifyToken: 'verify-me',
        pageAccessToken: stored.metaPage,
        whatsappToken: stored.metaWa,
      },
    });
    ids.sms = await createChannel(t, twilio.channelPayload('+14155550100'));
  });
  afterAll(async () => {
    await t?.close();
    for (const f of [x, meta, twilio]) await f?.close();
  });
  const db = () => t.app.database.db;
  let n = 0;

  /** A customer's private message on `channel` and the agent's reply to it, sent: its failure. */
  async function failedReply(channel: 'x' | 'whatsapp' | 'sms', author: string, text: string) {
    const channelId = channel === 'x' ? ids.x : channel === 'sms' ? ids.sms : ids.meta;
    const m = aMessage({
      channel,
      channelId,
      visibility: 'private',
      author: { id: author },
      text: 'No signal at home since yesterday',
      sentAt: new Date(Date.now() - 60_000).toISOString(),
    });
    await appendInbound(db(), t.app.workspace.workspaceId, [m], Date.now());
    await t.app.pipeline.drain();
    const caseId = await caseIdOf(db(), m.externalId);
    const res = await asAdmin(t, 'POST', `/api/v1/cases/${caseId}/replies`, { text });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id as string;
    const live: unknown[] = [];
    const off = t.app.bus.subscribe((e) => live.push(e));
    await t.app.outbox.runOnce();
    off();
    const outbox = await db()
      .selectFrom('outbox')
      .select(['id', 'status', 'last_error'])
      .where('idempotency_key', '=', `send_message:${id}`)
      .executeTakeFirstOrThrow();
    expect(outbox.status).toBe('failed');
    const view = await asAdmin(t, 'GET', `/api/v1/cases/${caseId}`);
    const failure = view.json().messages.find((msg: { id: string }) => msg.id === id).failure as {
      error: string;
      why: string;
    };
    const logLine = logs
      .lines()
      .find((l) => l.msg === 'outbox delivery failed' && l.outboxId === outbox.id);
    expect(logLine).toBeDefined();
    return { failure, lastError: outbox.last_error!, live, logLine: logLine!, caseView: view.body };
  }

  /** The channel's health and its connection test, as an admin reads them. */
  async function adminViews(channelId: string) {
    const test = await asAdmin(t, 'POST', `/api/v1/channels/${channelId}/test`);
    const one = await asAdmin(t, 'GET', `/api/v1/channels/${channelId}`);
    expect(test.json().ok).toBe(false);
    return { test: test.json(), health: one.json().health };
  }

  /**
   * Every text a failure reached holds none of `secrets`; the provider's echo is there, blanked
   * (`echo`), where its words are kept: with log bodies the log line too, without them not.
   */
  function expectNoSecret(
    f: Awaited<ReturnType<typeof failedReply>>,
    admin: Awaited<ReturnType<typeof adminViews>>,
    secrets: string[],
    echo: string,
  ) {
    expect(f.failure.why).toContain(echo);
    expect(admin.test.error.message).toContain(echo);
    expect(admin.health.lastError).toContain(echo);
    if (logBodies) expect(String(f.logLine.error)).toContain(echo);
    else expect(String(f.logLine.error)).not.toContain('***');
    const texts = [
      f.lastError,
      f.caseView,
      JSON.stringify(f.live),
      JSON.stringify(admin),
      logs.text(),
    ];
    for (const text of texts) for (const s of secrets) expect(text).not.toContain(s);
  }

  it('X: a refused token, echoed by the provider, is blanked as it is and in base64', async () => {
    const real = x.userToken;
    x.userToken = 'x-rotated';
    x.echoAuthorization = true;
    try {
      const f = await failedReply('x', String(8100 + n++), 'We are on it.');
      expect(f.failure).toMatchObject({ error: 'auth_revoked' });
      const echo = 'Unauthorized: refused Bearer *** (***)';
      expect(f.failure.why).toBe(`X refused the token: ${echo}`);
      const admin = await adminViews(ids.x);
      expectNoSecret(f, admin, [stored.xUser, b64(stored.xUser), X_SECRET], echo);
    } finally {
      x.userToken = real;
      x.echoAuthorization = false;
    }
  });

  it('Meta: neither the token nor the app secret nor its appsecret_proof comes out', async () => {
    meta.waToken = 'meta-rotated';
    meta.pageToken = 'meta-rotated-page';
    meta.echoCredentials = true;
    try {
      const f = await failedReply('whatsapp', `1415555${1000 + n++}`, 'We are on it.');
      expect(f.failure).toMatchObject({ error: 'auth_revoked' });
      const echo = 'Cannot parse access token: Bearer *** appsecret_proof=***';
      expect(f.failure.why).toBe(
        `Meta refused the token (code 190): Invalid OAuth access token - ${echo}`,
      );
      const admin = await adminViews(ids.meta);
      expectNoSecret(
        f,
        admin,
        [
          stored.metaWa,
          stored.metaPage,
          b64(stored.metaWa),
          META_APP_SECRET,
          appSecretProof(stored.metaWa, META_APP_SECRET),
          appSecretProof(stored.metaPage, META_APP_SECRET),
        ],
        echo,
      );
    } finally {
      meta.waToken = stored.metaWa;
      meta.pageToken = stored.metaPage;
      meta.echoCredentials = false;
    }
  });

  it('SMS: the Basic value built from the Account SID and Auth Token is blanked', async () => {
    twilio.authToken = 'twilio-rotated';
    twilio.echoAuthorization = true;
    try {
      const f = await failedReply('sms', `+1212555${1000 + n++}`, 'We are on it.');
      expect(f.failure).toEqual({
        error: 'auth_revoked',
        // The whole header is a form the desk sent: it goes whole.
        why: 'Twilio 401/20003: Authenticate: refused ***',
      });
      const admin = await adminViews(ids.sms);
      expectNoSecret(
        f,
        admin,
        [stored.twilio, b64(stored.twilio), b64(`${twilio.accountSid}:${stored.twilio}`)],
        'refused ***',
      );
    } finally {
      twilio.authToken = stored.twilio;
      twilio.echoAuthorization = false;
    }
  });

  /**
   * The failure's log line says the kind, status and provider code; the provider's words (here
   * quoting the customer) only with log bodies. The agent reads both either way.
   */
  function expectBodyLogged(
    f: Awaited<ReturnType<typeof failedReply>>,
    logged: string,
    words: string,
  ) {
    expect(f.failure.why).toBe(`${logged.slice(logged.indexOf(': ') + 2)}: ${words}`);
    expect(f.logLine.error).toBe(logBodies ? `${logged}: ${words}` : logged);
    // As a log line writes them (JSON-escaped).
    const written = JSON.stringify(words).slice(1, -1);
    if (logBodies) expect(logs.text()).toContain(written);
    else expect(logs.text()).not.toContain(written);
  }

  it('X: the provider’s words quoting the reply are logged only with log bodies', async () => {
    const text = `Your new PIN is 4417-${engine}-${logBodies}`;
    const said = `You cannot send "${text}" to this user`;
    x.script('dm', {
      status: 403,
      body: {
        title: 'Forbidden',
        type: 'https://api.twitter.com/2/problems/not-authorized-for-resource',
        detail: said,
      },
    });
    const f = await failedReply('x', String(8100 + n++), text);
    expectBodyLogged(f, 'permission_missing: X forbids this [not-authorized-for-resource]', said);
  });

  it('Meta: the provider’s words quoting the reply are logged only with log bodies', async () => {
    const text = `Your new PIN is 5521-${engine}-${logBodies}`;
    const said = `(#100) Invalid parameter: text "${text}"`;
    meta.script(graphError(400, 100, said));
    const f = await failedReply('whatsapp', `1415555${1000 + n++}`, text);
    expectBodyLogged(f, 'bad_request: Meta rejected the request (400) (code 100)', said);
  });

  it('SMS: Twilio’s words echoing the customer’s number are logged only with log bodies', async () => {
    // No phone number (passed to Twilio as written): its 21211 quotes it back.
    const to = `call-me-${engine}-${logBodies ? 'on' : 'off'}-at-home`;
    const f = await failedReply('sms', to, 'We are on it.');
    expectBodyLogged(
      f,
      'bad_request: Twilio 400/21211 (the To number is not a valid phone number)',
      `The 'To' number ${to} is not a valid phone number.`,
    );
  });
});
