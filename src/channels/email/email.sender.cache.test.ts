import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FakeSmtp } from '../../../test/fakes/smtp.js';
import { ENGINES, type FreshDatabase } from '../../../test/support/engines.js';
import { decryptSecrets, encryptSecrets } from '../channel.crypto.js';
import { createChannel } from '../channel.store.js';
import { ConnectorError } from '../connector-error.js';
import type { ChannelDeps } from '../routes.js';
import type { OutboundMessage } from '../sender.js';
import { channelDeps } from '../test-world.js';
import { emailSender } from './email.sender.js';

// Every decryption of channel credentials is counted: a fix notifying thousands of customers by
// e-mail must not decrypt the mailbox's password once per mail.
vi.mock('../channel.crypto.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../channel.crypto.js')>();
  return { ...real, decryptSecrets: vi.fn(real.decryptSecrets) };
});
const decrypts = () => vi.mocked(decryptSecrets).mock.calls.length;

const RIGHT = 'smtp-right-pa55';

describe.each(ENGINES)('the e-mail sender on %s', (engine) => {
  let fresh: FreshDatabase;
  let smtp: FakeSmtp;
  let deps: ChannelDeps;
  beforeAll(async () => {
    smtp = await new FakeSmtp({ username: 'care', password: RIGHT }).start();
    ({ fresh, deps } = await channelDeps(engine, Date.now));
  });
  afterAll(async () => {
    await fresh?.cleanup();
    await smtp?.close();
  });

  it('decrypts the sending record once, and again only after its stored row changed', async () => {
    const add = (name: string, config: Record<string, unknown>, secrets: Record<string, string>) =>
      createChannel(
        deps.db,
        deps.secretKey,
        deps.workspaceId,
        { kind: 'email', name, config, secrets },
        Date.now(),
      );
    // The first record only receives: mail naming no mailbox is sent from the second.
    await add(
      'Inbox',
      { imap: { host: '127.0.0.1', port: 1, tls: false, user: 'in' } },
      { imapPassword: 'imap-pass' },
    );
    const box = await add(
      'Care',
      {
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        from: 'Care <care@desk.example>',
        username: 'care',
      },
      { password: RIGHT },
    );
    const send = emailSender(deps);
    let n = 0;
    const mail = (): OutboundMessage => ({
      messageId: `m-${++n}`,
      caseId: 'no-such-case',
      channel: 'email',
      channelId: n % 2 ? null : box.id,
      to: 'ana@example.com',
      inReplyTo: null,
      visibility: 'private',
      text: 'Hello',
    });
    const setPassword = (password: string) =>
      deps.db
        .updateTable('channels')
        .set({ secrets_enc: encryptSecrets(deps.secretKey, box.id, { password }) })
        .where('id', '=', box.id)
        .execute();
    vi.mocked(decryptSecrets).mockClear();
    for (let i = 0; i < 4; i++) await send(mail(), `k-${n}`);
    expect(smtp.received).toHaveLength(4);
    expect(decrypts()).toBe(1);
    // Another node stores a password the server refuses: the next send decrypts and uses it.
    await setPassword('wrong-pa55');
    const err = await send(mail(), 'k-wrong').catch((e: unknown) => e);
    expect((err as ConnectorError).kind).toBe('auth_revoked');
    expect(decrypts()).toBe(2);
    await setPassword(RIGHT);
    for (let i = 0; i < 3; i++) await send(mail(), `k-${n}`);
    expect(smtp.received).toHaveLength(7);
    expect(decrypts()).toBe(3);
    // Disabled: nothing sends from it, and its password is not decrypted again.
    await deps.db
      .updateTable('channels')
      .set({ disabled_at: Date.now() })
      .where('id', '=', box.id)
      .execute();
    const none = await send(mail(), 'k-none').catch((e: unknown) => e);
    expect(none).toBeInstanceOf(ConnectorError);
    expect((none as ConnectorError).kind).toBe('not_configured');
    // The receiving record is still there: the desk has an email channel, none that sends.
    expect((none as ConnectorError).message).toBe(
      'no email channel can send: none has SMTP settings (host, port, from)',
    );
    expect(decrypts()).toBe(3);
  });

  it('with no email record at all, says none is configured', async () => {
    await deps.db
      .updateTable('channels')
      .set({ disabled_at: Date.now() })
      .where('workspace_id', '=', deps.workspaceId)
      .where('kind', '=', 'email')
      .execute();
    const msg: OutboundMessage = {
      messageId: 'm-nothing',
      caseId: 'no-such-case',
      channel: 'email',
      channelId: null,
      to: 'ana@example.com',
      inReplyTo: null,
      visibility: 'private',
      text: 'Hello',
    };
    const err = await emailSender(deps)(msg, 'k-nothing').catch((e: unknown) => e);
    expect(err).toMatchObject({
      kind: 'not_configured',
      message: 'no email channel is configured',
    });
  });
});
