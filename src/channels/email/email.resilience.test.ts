import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postChannel } from '../../../test/fakes/channels.js';
import { ENGINES } from '../../../test/support/engines.js';
import { buildApp } from '../../app.js';
import { ImapDesk } from './email.inbound.harness.js';

/**
 * A plain mail of our own making: what these tests check (duplicates, parking, restarts, the
 * timer) does not depend on what real mail looks like, so they run without ../shared/data
 * (email.inbound.test.ts reads the real corpus).
 */
const plain = (from: string, id: string, text: string, extra: string[] = []) =>
  [
    `From: ${from}`,
    'To: mary@example.net',
    'Subject: Router drops every evening',
    'Date: Thu, 03 Dec 2026 09:00:00 +0000',
    `Message-ID: ${id}`,
    ...extra,
    '',
    text,
    '',
  ].join('\r\n');

/**
 * The inbound e-mail channel on a real IMAP server (a throwaway Dovecot) when things go wrong or
 * come twice: the same mail twice, a broken mail, a restarted desk, a rebuilt folder, a huge
 * mail, a refused login; and the background poll.
 */
describe.each(ENGINES)('email channel (IMAP) resilience on %s', (engine) => {
  let d: ImapDesk;
  beforeAll(async () => {
    d = await ImapDesk.start(engine);
  });
  afterAll(async () => {
    await d?.close();
  });

  it('takes the same mail appended twice once', async () => {
    const once = plain(
      'Pat Kim <pat@example.org>',
      '<twice-1@example.org>',
      'No signal since noon.',
    );
    await d.append(once, once);
    const r = await d.poll();
    expect(r).toMatchObject({ fetched: 2, accepted: 1, duplicates: 1 });
    const n = await d
      .db()
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('author_address', '=', 'pat@example.org')
      .executeTakeFirstOrThrow();
    expect(Number(n.n)).toBe(1);
  });

  it('parks a broken mail with its reason and takes the next one', async () => {
    await d.append(
      // A group with no member: no address to answer, so no customer.
      plain('undisclosed-recipients:;', '<no-from-1@example.org>', 'Newsletter'),
      plain('Lea Roth <lea@example.org>', '<after-broken-1@example.org>', 'Still no signal.'),
    );
    const r = await d.poll();
    expect(r.parked).toHaveLength(1);
    expect(r.parked[0].reason).toBe('no usable From address');
    expect(r.accepted).toBe(1);
    const parked = await d.t.app.http.inject({
      method: 'GET',
      url: '/api/v1/admin/parked',
      headers: d.t.auth,
    });
    expect(parked.body).toContain('no usable From address');
    // A retry cannot make the mail usable: it is parked again, and nothing else stops.
    const retry = await d.t.app.http.inject({
      method: 'POST',
      url: '/api/v1/admin/parked/retry',
      headers: d.t.auth,
      payload: {},
    });
    expect(retry.statusCode, retry.body).toBeLessThan(300);
    await d.t.app.pipeline.drain();
    const health = await d.t.app.http.inject({
      method: 'GET',
      url: `/api/v1/channels/${d.channelId}`,
      headers: d.t.auth,
    });
    expect(health.json().health).toMatchObject({ status: 'ok', parkedEvents: 1 });
  });

  it('resumes after a restart without duplicates, and re-reads a rebuilt folder by Message-ID', async () => {
    const count = () => d.count('inbound_events');
    const before = await count();
    // A new app on the same database is a restarted desk: nothing new, nothing again.
    await d.t.app.close();
    d.t.app = await buildApp({ config: d.t.app.config });
    await d.t.app.start({ listen: false });
    const again = await d.poll();
    expect(again).toMatchObject({ fetched: 0, rescan: false });
    await d.append(
      plain('Pat Kim <pat@example.org>', '<after-restart-1@example.org>', 'Back now, thanks.', [
        'In-Reply-To: <twice-1@example.org>',
      ]),
    );
    const next = await d.poll();
    expect(next).toMatchObject({ fetched: 1, accepted: 1 });
    expect(await count()).toBe(before + 1);
    // A forgotten UIDVALIDITY (a folder rebuilt by the server) re-reads everything: deduped.
    const state = await d
      .db()
      .selectFrom('channel_state')
      .select('cursors_json')
      .where('channel_id', '=', d.channelId)
      .executeTakeFirstOrThrow();
    const cursors = JSON.parse(state.cursors_json);
    cursors.imap.uidValidity = '1';
    await d
      .db()
      .updateTable('channel_state')
      .set({ cursors_json: JSON.stringify(cursors) })
      .where('channel_id', '=', d.channelId)
      .execute();
    const rescan = await d.poll();
    expect(rescan.rescan).toBe(true);
    expect(rescan.fetched).toBe(5);
    expect(rescan.accepted).toBe(0);
    expect(await count()).toBe(before + 1);
  });

  it('polls in the background at the configured interval', async () => {
    await d.imap.mailboxCreate('Timer');
    const res = await postChannel(d.t, {
      kind: 'email',
      name: 'Timer folder',
      config: {
        imap: {
          host: d.dovecot.host,
          port: d.dovecot.port,
          tls: false,
          user: d.dovecot.user,
          mailbox: 'Timer',
          pollIntervalSeconds: 1,
        },
      },
      secrets: { imapPassword: d.dovecot.password },
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = '<timer-1@example.org>';
    await d.imap.append('Timer', plain('Sam Ode <sam@example.org>', id, 'Dropped again.'));
    const deadline = Date.now() + 15_000;
    while (!(await d.byExternalId(id)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      await d.t.app.pipeline.drain();
    }
    expect((await d.byExternalId(id))?.channel_id).toBe(res.json().id);
  });

  it('reads a mail over 8 MB up to 8 MB and cuts its text like every channel', async () => {
    const line = 'The modem log says: DSL sync lost, retraining, sync lost again.\r\n';
    const big = [
      'From: Big Log <biglog@example.org>',
      'To: mary@example.net',
      'Subject: Modem log attached inline',
      'Date: Thu, 03 Dec 2026 13:00:00 +0000',
      'Message-ID: <big-1@example.org>',
      '',
      line.repeat(Math.ceil((9 * 1024 * 1024) / line.length)),
    ].join('\r\n');
    await d.append(big);
    const r = await d.poll();
    expect(r).toMatchObject({ fetched: 1, accepted: 1, parked: [] });
    const m = await d.byExternalId('<big-1@example.org>');
    expect(m?.text.length).toBeLessThanOrEqual(100_000);
    expect(m?.text).toMatch(/… \[truncated: \d+ characters\]$/);
  });

  it("gives a cut mail's attachments their true sizes and says which were cut", async () => {
    const jpeg = Buffer.alloc(7_340_032, 0xd8);
    jpeg.writeUInt32BE(0xffd8ffe0, 0);
    const b64 = (buf: Buffer) => (buf.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
    const notes = Buffer.from('Serial number 1234, firmware 5.6.\n'.repeat(40));
    const big = [
      'From: Photo Sender <photo@example.org>',
      'To: mary@example.net',
      'Subject: Photo of the broken router',
      'Date: Thu, 03 Dec 2026 13:30:00 +0000',
      'Message-ID: <big-photo@example.org>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="cut"',
      '',
      '--cut',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Here is a photo of the router and my notes.',
      '--cut',
      'Content-Type: image/jpeg; name="router.jpg"',
      'Content-Disposition: attachment; filename="router.jpg"',
      'Content-Transfer-Encoding: base64',
      '',
      b64(jpeg),
      '--cut',
      'Content-Type: text/plain; name="notes.txt"',
      'Content-Disposition: attachment; filename="notes.txt"',
      'Content-Transfer-Encoding: base64',
      '',
      b64(notes),
      '--cut--',
      '',
    ].join('\r\n');
    expect(big.length).toBeGreaterThan(9_900_000);
    await d.append(big);
    expect(await d.poll()).toMatchObject({ fetched: 1, accepted: 1, parked: [] });
    const m = await d.byExternalId('<big-photo@example.org>');
    expect(m?.text).toBe('Here is a photo of the router and my notes.');
    // The parser saw about 6 MB of the photo and nothing of the notes: the server's sizes stand.
    expect(JSON.parse(m!.attachments_json)).toEqual([
      {
        type: 'image',
        contentType: 'image/jpeg',
        name: 'router.jpg',
        size: 7_340_032,
        truncated: true,
      },
      {
        type: 'file',
        contentType: 'text/plain',
        name: 'notes.txt',
        size: notes.length,
        truncated: true,
      },
    ]);
  });

  it('marks a refused IMAP login auth_revoked and never shows the password', async () => {
    const res = await postChannel(d.t, {
      kind: 'email',
      name: 'Wrong password',
      config: {
        imap: { host: d.dovecot.host, port: d.dovecot.port, tls: false, user: d.dovecot.user },
      },
      secrets: { imapPassword: 'wrong-imap-password-never-shown' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const id = res.json().id;
    const polled = await d.t.app.http.inject({
      method: 'POST',
      url: `/api/v1/channels/${id}/poll`,
      headers: d.t.auth,
    });
    expect(polled.json().results[0].error).toMatch(/^auth_revoked: IMAP authentication failed/);
    const view = await d.t.app.http.inject({
      method: 'GET',
      url: `/api/v1/channels/${id}`,
      headers: d.t.auth,
    });
    expect(view.json().health.status).toBe('auth_revoked');
    expect(polled.body + view.body).not.toContain('wrong-imap-password-never-shown');
  });
});
