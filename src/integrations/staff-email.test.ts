import { describe, expect, it } from 'vitest';
import { createChannel } from '../../test/fakes/channels.js';
import { FakeSmtp } from '../../test/fakes/smtp.js';
import { createUser } from '../platform/auth/users.js';
import { closeWorldsAfterEach, fakes, type World, world } from './testing/escalation-world.js';

/*
 * A process problem (and any other) is owned by its team's lead (#6): an `email` escalation
 * target mails the lead of the owner team through the desk's own outgoing mail (a real SMTP
 * server here), with the problem as it was at the event.
 */
closeWorldsAfterEach();

async function withMail(w: World) {
  const smtp = await new FakeSmtp().start();
  fakes.push(smtp);
  await createChannel(w.app, {
    kind: 'email',
    name: 'Care mail',
    config: { host: '127.0.0.1', port: smtp.port, secure: false, from: 'care@kestrel.example' },
    secrets: {},
  });
  return smtp;
}

async function leadOf(w: World, team: string, email: string, name: string) {
  const ws = w.app.app.workspace.workspaceId;
  const user = await createUser(w.db, {
    workspaceId: ws,
    email,
    name,
    role: 'supervisor',
    password: 'a-long-password',
  });
  const t = await w.db
    .selectFrom('teams')
    .select('id')
    .where('workspace_id', '=', ws)
    .where('name', '=', team)
    .executeTakeFirstOrThrow();
  const res = await w.app.app.http.inject({
    method: 'PATCH',
    url: `/api/v1/teams/${t.id}`,
    headers: w.app.auth,
    payload: { leadUserId: user.id },
  });
  expect(res.statusCode, res.body).toBe(200);
  return user;
}

/** The decoded headers and body of a received mail (nodemailer may fold or encode them). */
function read(raw: string) {
  const [head, ...rest] = raw.split('\r\n\r\n');
  const unfolded = head.replace(/\r\n[ \t]+/g, ' ');
  const header = (name: string) =>
    unfolded.match(new RegExp(`^${name}: (.*)$`, 'mi'))?.[1].trim() ?? null;
  let body = rest.join('\r\n\r\n');
  if (/quoted-printable/i.test(header('Content-Transfer-Encoding') ?? ''))
    body = Buffer.from(
      body
        .replace(/=\r\n/g, '')
        .replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(Number.parseInt(h, 16))),
      'latin1',
    ).toString('utf8');
  return { header, body };
}

describe.each(['sqlite', 'postgres'] as const)('email escalation to the lead on %s', (engine) => {
  it("mails the owner team's lead and the fixed addresses, once per event, as the problem was", async () => {
    const w = await world(engine);
    const smtp = await withMail(w);
    await leadOf(w, 'Network operations', 'ines@desk.test', 'Inês Field');
    await w.add(
      'email',
      { to: ['noc@desk.test'], events: ['problem.opened', 'problem.fixed'] },
      {},
    );
    const id = await w.problem('Fibre cut 94110');
    await w.drain();
    expect(smtp.received).toHaveLength(1);
    const opened = smtp.received[0];
    expect(opened.from).toBe('care@kestrel.example');
    expect(opened.to.sort()).toEqual(['ines@desk.test', 'noc@desk.test']);
    const m = read(opened.raw);
    expect(m.header('Subject')).toMatch(/^Problem #\d+ opened: Fibre cut 94110$/);
    expect(m.header('Auto-Submitted')).toBe('auto-generated');
    expect(m.header('Message-ID')).toMatch(/^<escalation-[0-9a-f]{32}@kestrel\.example>$/);
    expect(m.body).toContain('Owner: Network operations · Lead: Inês Field');
    expect(m.body).toContain(`/api/v1/problems/${id}`);

    // Events the target does not name are not mailed; the fix is, with its words.
    await w.change(id, { status: 'fixing' });
    await w.change(id, { status: 'fixed', body: 'Cable spliced at 10:40' });
    await w.drain();
    expect(smtp.received).toHaveLength(2);
    const fixed = read(smtp.received[1].raw);
    expect(fixed.header('Subject')).toMatch(/Problem #\d+ fixed:/);
    expect(fixed.body).toContain('Cable spliced at 10:40');
    expect(fixed.body).toContain('Status: fixed');
  });

  it('retries a delivery the mail server refused for now; with no one to mail, says so', async () => {
    const w = await world(engine);
    const smtp = await withMail(w);
    await leadOf(w, 'Network operations', 'ines@desk.test', 'Inês Field');
    const target = await w.add('email', { events: ['problem.opened'] }, {});
    smtp.refuse.push({ code: 451, text: 'try again later' });
    await w.problem();
    await w.drain();
    expect(smtp.received).toHaveLength(0);
    await w.db
      .updateTable('outbox')
      .set({ next_attempt_at: 0 })
      .where('status', '=', 'pending')
      .execute();
    await w.drain();
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0].to).toEqual(['ines@desk.test']);

    // A problem of a team with no lead: given up with the reason, visible on the target.
    await w.db
      .updateTable('teams')
      .set({ lead_user_id: null })
      .where('workspace_id', '=', w.app.app.workspace.workspaceId)
      .execute();
    await w.problem('Another cut');
    await w.drain();
    expect(smtp.received).toHaveLength(1);
    const list = await w.app.app.http.inject({
      method: 'GET',
      url: '/api/v1/integrations',
      headers: w.app.auth,
    });
    const mine = list.json().items.find((i: { id: string }) => i.id === target);
    expect(JSON.stringify(mine.delivery)).toMatch(
      /no one to mail: the owner team \(Network operations\) has no lead named/,
    );
  });

  it('retries a recipient refused for now with the same Message-ID; one refused for good is reported', async () => {
    const w = await world(engine);
    const smtp = await withMail(w);
    await leadOf(w, 'Network operations', 'ines@desk.test', 'Inês Field');
    const target = await w.add('email', { to: ['noc@desk.test'], events: ['problem.opened'] }, {});
    // The lead's mailbox is full for now; the on-call list takes it.
    smtp.refuseRecipient.set('ines@desk.test', { code: 452, text: 'mailbox full, try later' });
    await w.problem();
    await w.drain();
    expect(smtp.received.map((m) => m.to)).toEqual([['noc@desk.test']]);
    smtp.refuseRecipient.clear();
    await w.db
      .updateTable('outbox')
      .set({ next_attempt_at: 0 })
      .where('status', '=', 'pending')
      .execute();
    await w.drain();
    expect(smtp.received.map((m) => m.to.sort())).toEqual([
      ['noc@desk.test'],
      ['ines@desk.test', 'noc@desk.test'],
    ]);
    const ids = smtp.received.map((m) => read(m.raw).header('Message-ID'));
    expect(ids[1]).toBe(ids[0]);

    // Refused for good: the others have it, and the target's status names who did not.
    smtp.refuseRecipient.set('ines@desk.test', { code: 550, text: 'no such user' });
    await w.problem('A second cut');
    await w.drain();
    expect(smtp.received.at(-1)!.to).toEqual(['noc@desk.test']);
    const list = await w.app.app.http.inject({
      method: 'GET',
      url: '/api/v1/integrations',
      headers: w.app.auth,
    });
    const mine = list.json().items.find((i: { id: string }) => i.id === target);
    expect(JSON.stringify(mine.delivery)).toMatch(/the mail server refused ines@desk.test/);
    // With the lead alone, refused for good: the event fails, and the customer channel's health
    // (about reaching its server) does not take the blame of one staff address.
    const only = await w.app.app.http.inject({
      method: 'PATCH',
      url: `/api/v1/integrations/${target}`,
      headers: w.app.auth,
      payload: { config: { to: null } },
    });
    expect(only.statusCode, only.body).toBe(200);
    const before = smtp.received.length;
    await w.problem('A third cut');
    await w.drain();
    expect(smtp.received).toHaveLength(before);
    const channel = await w.db
      .selectFrom('channels')
      .select('id')
      .where('kind', '=', 'email')
      .executeTakeFirstOrThrow();
    const health = await w.app.app.http.inject({
      method: 'GET',
      url: `/api/v1/channels/${channel.id}`,
      headers: w.app.auth,
    });
    expect(health.statusCode).toBe(200);
    expect(health.json().health.status).not.toBe('degraded');
    expect(JSON.stringify(health.json().health)).not.toMatch(/no such user/);
  });

  it('refuses a target that could mail no one, or addresses that are not addresses', async () => {
    const w = await world(engine);
    // Without an e-mail channel that can send, there is no way to mail.
    const early = await w.app.app.http.inject({
      method: 'POST',
      url: '/api/v1/integrations',
      headers: w.app.auth,
      payload: { kind: 'email', name: 'lead mail', config: {}, secrets: {} },
    });
    expect(early.statusCode).toBe(400);
    expect(early.json().error.message).toMatch(/email channel with SMTP settings/);
    await withMail(w);
    const add = (config: unknown) =>
      w.app.app.http.inject({
        method: 'POST',
        url: '/api/v1/integrations',
        headers: w.app.auth,
        payload: { kind: 'email', name: 'lead mail', config, secrets: {} },
      });
    for (const [config, message] of [
      [{ lead: false }, /config.to is required when config.lead is false/],
      [{ to: ['Boss <boss@desk.test>'] }, /config.to has .* not an e-mail address/],
      [{ to: ['Boss<boss@desk.test>'] }, /config.to has .* not an e-mail address/],
      [{ to: ['a@b.test,c@d.test'] }, /config.to has .* not an e-mail address/],
      [{ to: ['a@b.test\r\nBcc: x@evil.test'] }, /config.to has .* not an e-mail address/],
      [{ lead: 'yes' }, /config.lead must be true or false/],
    ] as const) {
      const res = await add(config);
      expect([JSON.stringify(config), res.statusCode]).toEqual([JSON.stringify(config), 400]);
      expect(res.json().error.message).toMatch(message);
    }
    expect((await add({})).statusCode).toBe(201);
  });
});
