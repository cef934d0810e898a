import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postChannel } from '../../../test/fakes/channels.js';
import { ENGINES } from '../../../test/support/engines.js';
import { ImapDesk } from './email.inbound.harness.js';

/** A mail as a customer's (or our own) client would put it in the folder. */
const mail = (from: string, id: string, extra: string[] = []) =>
  [
    `From: ${from}`,
    'To: complaints@desk.test',
    'Subject: Router drops every evening',
    'Date: Thu, 03 Dec 2026 10:00:00 +0000',
    `Message-ID: <${id}>`,
    ...extra,
    '',
    'It dropped again at 8pm.',
    '',
  ].join('\r\n');

/**
 * Mail-loop guard on a real IMAP server (a throwaway Dovecot): a mailbox that only receives is
 * answered from another record's SMTP side, so mail from any of the workspace's sending
 * addresses arriving there is ours coming back (a Cc or Bcc copy, a forward, a loop), not a
 * customer, and opens no case.
 */
describe.each(ENGINES)('own addresses across e-mail records on %s', (engine) => {
  let d: ImapDesk;
  beforeAll(async () => {
    d = await ImapDesk.start(engine);
  });
  afterAll(async () => {
    await d?.close();
  });

  const addChannel = async (name: string, config: object, secrets: object) => {
    const res = await postChannel(d.t, { kind: 'email', name, config, secrets });
    expect(res.statusCode, res.body).toBe(201);
    return res.json().id as string;
  };

  it("an IMAP-only mailbox skips mail from every record's From, a disabled one's too", async () => {
    // Two more sending records: billing, and one switched off since (its mail can still return).
    await addChannel(
      'Billing',
      { host: '127.0.0.1', port: d.smtp.port, from: 'Billing <Billing@Desk.example>' },
      {},
    );
    const old = await addChannel(
      'Old desk',
      { host: '127.0.0.1', port: d.smtp.port, from: 'old@desk.example' },
      {},
    );
    await d
      .db()
      .updateTable('channels')
      .set({ disabled_at: Date.now() })
      .where('id', '=', old)
      .execute();
    // Receives only: its own settings name no sending address at all.
    await d.imap.mailboxCreate('Complaints');
    const inbox = await addChannel(
      'Complaints',
      {
        imap: {
          host: d.dovecot.host,
          port: d.dovecot.port,
          tls: false,
          user: d.dovecot.user,
          mailbox: 'Complaints',
          pollIntervalSeconds: 3600,
        },
      },
      { imapPassword: d.dovecot.password },
    );
    for (const m of [
      // Our reply to a customer, sent by the support record, Cc'd to this mailbox.
      mail('Mary Smith <mary@example.net>', 'our-reply@example.net', ['Cc: complaints@desk.test']),
      mail('billing@desk.example', 'billing-notice@desk.example'),
      mail('Old Desk <old@desk.example>', 'old-desk@desk.example'),
      mail('Ana Lima <ana@example.com>', 'ana-complaint@example.com'),
    ]) {
      await d.imap.append('Complaints', m);
    }
    const before = await d.count('cases');
    const r = await d.poll(inbox);
    expect(r).toMatchObject({ fetched: 4, accepted: 1, parked: [] });
    expect(r.skipped.map((s) => s.reason)).toEqual([
      'from our own address mary@example.net',
      'from our own address billing@desk.example',
      'from our own address old@desk.example',
    ]);
    expect(await d.count('cases')).toBe(before + 1);
    expect((await d.byExternalId('<ana-complaint@example.com>'))?.channel_id).toBe(inbox);
    expect(await d.byExternalId('<our-reply@example.net>')).toBeUndefined();
  });
});
