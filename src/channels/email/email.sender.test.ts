import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  aMessage,
  asAdmin,
  messageRow,
  retryNow,
  sendRowOf,
  type TestApp,
  testApp,
} from '../../../test/builders.js';
import { postChannel } from '../../../test/fakes/channels.js';
import { FakeSmtp } from '../../../test/fakes/smtp.js';
import { ENGINES } from '../../../test/support/engines.js';
import { appendInbound } from '../../ingest/inbound.log.js';
import { resolveSecretKey } from '../../platform/secret-key.js';
import { classify } from '../../triage/index.js';
import { createChannel } from '../channel.store.js';
import { ConnectorError } from '../connector-error.js';
import type { ChannelDeps } from '../routes.js';
import { emailSender } from './email.sender.js';

const PASSWORD = 'smtp-pa55-never-shown';

describe.each(ENGINES)('email channel (SMTP) on %s', (engine) => {
  let t: TestApp;
  let smtp: FakeSmtp;
  let channelId: string;
  beforeAll(async () => {
    smtp = await new FakeSmtp({ username: 'care', password: PASSWORD }).start();
    t = await testApp(engine);
    const res = await postChannel(t, {
      kind: 'email',
      name: 'Care mailbox',
      config: {
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        from: 'Kestrel Care <care@kestrel.example>',
        username: 'care',
      },
      secrets: { password: PASSWORD },
    });
    expect(res.statusCode, res.body).toBe(201);
    channelId = res.json().id;
    expect(res.body).not.toContain(PASSWORD);
    expect(res.json().webhookUrl).toBeNull();
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.close();
  });
  const db = () => t.app.database.db;

  /** A customer email, a case, and an agent reply queued in the outbox; returns the reply id. */
  const customerWritesAndAgentReplies = async (
    from: string,
    externalId: string,
    /** The References their mail carried, as the IMAP reader stores them. */
    references?: string[],
  ) => {
    const m = aMessage({
      ...(references ? { raw: { headers: { references } } } : {}),
      channel: 'email',
      visibility: 'private',
      externalId,
      author: { id: from, name: 'Ana Lima' },
      text: 'My router keeps dropping the connection every evening',
      sentAt: new Date().toISOString(),
    });
    await appendInbound(db(), t.app.workspace.workspaceId, [m], Date.now());
    await t.app.pipeline.drain();
    const row = await db()
      .selectFrom('messages')
      .innerJoin('cases', 'cases.id', 'messages.case_id')
      .select(['cases.id', 'cases.subject'])
      .where('messages.external_id', '=', externalId)
      .executeTakeFirstOrThrow();
    const reply = await asAdmin(t, 'POST', `/api/v1/cases/${row.id}/replies`, {
      text: 'Hello Ana, an engineer replaced the faulty line card this morning; the evening drops should be over. Reply here if they are not.',
    });
    expect(reply.statusCode, reply.body).toBe(201);
    return { replyId: reply.json().id as string, caseId: row.id, subject: row.subject };
  };

  it('delivers a reply to a real SMTP server with threading headers and a stable Message-ID', async () => {
    const { replyId, subject } = await customerWritesAndAgentReplies(
      'ana@example.com',
      '<CAF1a2b3c4@mail.example.com>',
    );
    const before = smtp.received.length;
    await t.app.outbox.runOnce();
    expect(smtp.received.length).toBe(before + 1);
    const got = smtp.received.at(-1)!;
    expect(got.from).toBe('care@kestrel.example');
    expect(got.to).toEqual(['ana@example.com']);
    expect(got.user).toBe('care');
    const mail = await simpleParser(got.raw);
    expect(mail.from?.value[0]).toMatchObject({
      address: 'care@kestrel.example',
      name: 'Kestrel Care',
    });
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value[0].address : '').toBe(
      'ana@example.com',
    );
    expect(mail.subject).toBe(`Re: ${subject}`);
    expect(mail.inReplyTo).toBe('<CAF1a2b3c4@mail.example.com>');
    expect(mail.references).toBe('<CAF1a2b3c4@mail.example.com>');
    expect(mail.messageId).toBe(`<${replyId}@kestrel.example>`);
    expect(mail.text?.trim()).toBe(
      'Hello Ana, an engineer replaced the faulty line card this morning; the evening drops should be over. Reply here if they are not.',
    );
    const sent = await messageRow(db(), replyId);
    expect(sent.status).toBe('sent');
    // The customer's answer will say In-Reply-To our Message-ID: it is the external id.
    expect(sent.external_id).toBe(`<${replyId}@kestrel.example>`);
  });

  it("continues the customer's References with their Message-ID, the root and the newest ten kept", async () => {
    const thread = Array.from({ length: 15 }, (_, i) => `<r${i + 1}@mail.example.com>`);
    const sendFor = async (from: string, id: string, refs: string[]) => {
      await customerWritesAndAgentReplies(from, id, refs);
      await t.app.outbox.runOnce();
      return simpleParser(smtp.received.at(-1)!.raw);
    };
    // RFC 5322 §3.6.4: the parent's References, then the parent's Message-ID.
    const short = await sendFor('hal@example.com', '<hal-3@mail.example.com>', thread.slice(0, 2));
    expect(short.inReplyTo).toBe('<hal-3@mail.example.com>');
    expect(short.references).toEqual([...thread.slice(0, 2), '<hal-3@mail.example.com>']);
    // A long thread keeps its root and its newest ten ids, the parent last.
    const long = await sendFor('ida@example.com', '<ida-16@mail.example.com>', thread);
    expect(long.references).toEqual([
      '<r1@mail.example.com>',
      ...thread.slice(6),
      '<ida-16@mail.example.com>',
    ]);
  });

  it('sends a burst over one pooled connection', async () => {
    const a = await customerWritesAndAgentReplies('fay@example.com', '<fay-1@mail.example.com>');
    const b = await customerWritesAndAgentReplies('gus@example.com', '<gus-1@mail.example.com>');
    const before = { mails: smtp.received.length, connections: smtp.connections };
    await t.app.outbox.runOnce();
    expect((await sendRowOf(db(), a.replyId)).status).toBe('delivered');
    expect((await sendRowOf(db(), b.replyId)).status).toBe('delivered');
    expect(smtp.received.length - before.mails).toBe(2);
    expect(smtp.connections - before.connections).toBeLessThanOrEqual(1);
  });

  it('retries a 4xx refusal and sends the same Message-ID; fails a 5xx refusal with its reason', async () => {
    const a = await customerWritesAndAgentReplies('bo@example.com', 'bo-1@mail.example.com');
    smtp.refuse.push({ code: 451, text: 'Requested action aborted: local error in processing' });
    await t.app.outbox.runOnce();
    let row = await sendRowOf(db(), a.replyId);
    expect(row.status).toBe('pending');
    expect(row.last_error).toMatch(/^temporary: SMTP 451/);
    expect((await messageRow(db(), a.replyId)).status).toBe('queued');
    await retryNow(db(), row.id);
    await t.app.outbox.runOnce();
    row = await sendRowOf(db(), a.replyId);
    expect(row.status).toBe('delivered');
    const mail = await simpleParser(smtp.received.at(-1)!.raw);
    expect(mail.messageId).toBe(`<${a.replyId}@kestrel.example>`);
    // An inbound id stored without angle brackets still threads.
    expect(mail.inReplyTo).toBe('<bo-1@mail.example.com>');

    const b = await customerWritesAndAgentReplies('cy@example.com', '<cy-1@mail.example.com>');
    smtp.refuse.push({ code: 550, text: 'Mailbox unavailable' });
    await t.app.outbox.runOnce();
    row = await sendRowOf(db(), b.replyId);
    expect(row.status).toBe('failed');
    expect(row.last_error).toMatch(/^bad_request: SMTP 550 \(permanent\).*Mailbox unavailable/);
    expect((await messageRow(db(), b.replyId)).status).toBe('failed');
  });

  it('maps a refused login to an unauthorised channel and never shows the password', async () => {
    const deps: ChannelDeps = {
      db: db(),
      config: t.app.config,
      workspaceId: t.app.workspace.workspaceId,
      clock: Date.now,
      secretKey: resolveSecretKey(t.app.config),
      onAppended: () => {},
      classify,
    };
    const wrong = 'wrong-pa55-also-secret';
    // The server says back the password it refused: the worst case to hide.
    smtp.echoRefusedLogin = true;
    onTestFinished(() => {
      smtp.echoRefusedLogin = false;
    });
    const ch = await createChannel(
      db(),
      deps.secretKey,
      deps.workspaceId,
      {
        kind: 'email',
        name: 'Stale mailbox',
        config: {
          host: '127.0.0.1',
          port: smtp.port,
          secure: false,
          from: 'x@kestrel.example',
          username: 'care',
        },
        secrets: { password: wrong },
      },
      Date.now(),
    );
    const c = await customerWritesAndAgentReplies('di@example.com', '<di-1@mail.example.com>');
    const err = await emailSender(deps)(
      {
        messageId: 'm-auth',
        caseId: c.caseId,
        channel: 'email',
        channelId: ch.id,
        to: 'di@example.com',
        inReplyTo: null,
        visibility: 'private',
        text: 'hello',
      },
      'k',
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectorError);
    expect((err as ConnectorError).kind).toBe('auth_revoked');
    // The server's echo reaches the message, the password in it does not.
    expect((err as ConnectorError).message).toMatch(/535 .*invalid for care \/ \*\*\*/);
    expect((err as ConnectorError).message).not.toContain(wrong);
    const one = await asAdmin(t, 'GET', `/api/v1/channels/${ch.id}`);
    expect(one.json().health).toMatchObject({
      status: 'auth_revoked',
      lastError: `auth_revoked: ${(err as ConnectorError).message}`,
    });
    const list = await asAdmin(t, 'GET', '/api/v1/channels');
    for (const body of [one.body, list.body]) {
      expect(body).not.toContain(wrong);
      expect(body).not.toContain(PASSWORD);
    }
    // The connection test says the same without sending anything, and the good channel passes.
    const bad = await asAdmin(t, 'POST', `/api/v1/channels/${ch.id}/test`);
    expect(bad.json()).toMatchObject({ ok: false, error: { kind: 'auth_revoked' } });
    expect(bad.body).toContain('care / ***');
    expect(bad.body).not.toContain(wrong);
    const test = await asAdmin(t, 'POST', `/api/v1/channels/${channelId}/test`);
    expect(test.json()).toMatchObject({ ok: true, account: { host: '127.0.0.1' } });
  });

  it('refuses an email channel without a host or with secrets it does not know', async () => {
    const res = await postChannel(t, {
      kind: 'email',
      name: 'Bad',
      config: { port: 25, secure: false, from: 'a@b.example' },
      secrets: { password: 'p', token: 'nope-secret' },
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toMatch(/host/);
    expect(res.body).not.toContain('nope-secret');
  });
});
