import { readFileSync } from 'node:fs';
import { ImapFlow } from 'imapflow';
import { expect } from 'vitest';
import { type TestApp, testApp } from '../../../test/builders.js';
import { postChannel } from '../../../test/fakes/channels.js';
import { sharedDataPath } from '../../../test/fakes/shared-data.js';
import { FakeSmtp } from '../../../test/fakes/smtp.js';
import { type Dovecot, startDovecot } from '../../../test/support/dovecot.js';
import type { Engine } from '../../../test/support/engines.js';
import type { EmailPollResult } from './email.poll.js';

export const EML_DIR = 'email-eml';
/** A real mail of the shared corpus (read at run time, never copied into the repo). */
export const eml = (path: string) => readFileSync(sharedDataPath(EML_DIR, path));
export const SMTP_PASSWORD = 'smtp-secret-never-shown';

/**
 * A desk with one email channel on a throwaway Dovecot (IMAP) and a fake SMTP server, for the
 * inbound e-mail tests: mails are APPENDed to the mailbox with imapflow, the channel polls it
 * through the API, and the pipeline turns them into cases. The support address is Mary's
 * (`mary@example.net`): in the RFC 5322 example thread, example06 is our own mail.
 */
export class ImapDesk {
  channelId = '';
  /** The answer to the channel's creation (tests check no secret is in it). */
  created = { statusCode: 0, body: '' };

  private constructor(
    readonly dovecot: Dovecot,
    readonly smtp: FakeSmtp,
    readonly t: TestApp,
    readonly imap: ImapFlow,
  ) {}

  static async start(engine: Engine): Promise<ImapDesk> {
    const dovecot = await startDovecot();
    const smtp = await new FakeSmtp({ username: 'care', password: SMTP_PASSWORD }).start();
    const t = await testApp(engine);
    const imap = new ImapFlow({
      host: dovecot.host,
      port: dovecot.port,
      secure: false,
      auth: { user: dovecot.user, pass: dovecot.password },
      logger: false,
    });
    await imap.connect();
    const desk = new ImapDesk(dovecot, smtp, t, imap);
    const res = await postChannel(t, {
      kind: 'email',
      name: 'Support mailbox',
      config: {
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        from: 'Mary Smith <mary@example.net>',
        username: 'care',
        imap: {
          host: dovecot.host,
          port: dovecot.port,
          tls: false,
          user: dovecot.user,
          // The background poll runs once (no cursor yet); the tests poll through the API.
          pollIntervalSeconds: 3600,
        },
      },
      secrets: { password: SMTP_PASSWORD, imapPassword: dovecot.password },
    });
    expect(res.statusCode, res.body).toBe(201);
    desk.channelId = res.json().id;
    desk.created = { statusCode: res.statusCode, body: res.body };
    // The first poll finds the empty folder and stores its cursor (the background poll may have
    // been first); from then on the background waits an hour and the tests poll.
    expect(await desk.poll()).toMatchObject({ fetched: 0, mailbox: 'INBOX' });
    return desk;
  }

  async close() {
    await this.imap.logout().catch(() => {});
    await this.t.close();
    await this.smtp.close();
    await this.dovecot.stop();
  }

  db() {
    return this.t.app.database.db;
  }

  async append(...mails: (Buffer | string)[]) {
    for (const m of mails) await this.imap.append('INBOX', m);
  }

  /** "Poll now" through the API, then the pipeline drained. */
  async poll(channelId = this.channelId): Promise<EmailPollResult> {
    const res = await this.t.app.http.inject({
      method: 'POST',
      url: `/api/v1/channels/${channelId}/poll`,
      headers: this.t.auth,
    });
    expect(res.statusCode, res.body).toBe(200);
    await this.t.app.pipeline.drain();
    return res.json().results[0];
  }

  byExternalId(id: string) {
    return this.db()
      .selectFrom('messages')
      .selectAll()
      .where('external_id', '=', id)
      .executeTakeFirst();
  }

  /** The case (as the API shows it) holding the message with this external id. */
  async caseOf(externalId: string) {
    const m = await this.byExternalId(externalId);
    expect(m, externalId).toBeDefined();
    const res = await this.t.app.http.inject({
      method: 'GET',
      url: `/api/v1/cases/${m!.case_id}`,
      headers: this.t.auth,
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  }

  async count(table: 'cases' | 'inbound_events') {
    const row = await this.db()
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
