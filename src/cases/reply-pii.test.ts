import { describe, expect, it } from 'vitest';
import { aMessage, caseIdOf } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { careWorld } from './test-world.js';

/** A public reply never repeats the customer's personal data, whoever or whatever wrote it. */
describe.each(ENGINES)('public replies and personal data on %s', (engine) => {
  const t = suiteApp(engine);
  const { db, api, ingest } = careWorld(() => t);
  const outbound = async (caseId: string) =>
    db()
      .selectFrom('messages')
      .select(['text', 'visibility'])
      .where('case_id', '=', caseId)
      .where('direction', '=', 'out')
      .execute();

  it('refuses a public reply that repeats their card, e-mail or phone; lets private ones and the brand’s own contacts through', async () => {
    const m = aMessage({
      channel: 'x',
      visibility: 'public',
      author: { id: '7700112233', handle: 'kim_pii' },
      text: '@acme Card 4111 1111 1111 1111 charged twice!! reach me at Kim.Lee@example.com or (415) 555-0142',
    });
    await ingest(m);
    const caseId = await caseIdOf(db(), m.externalId);
    const reply = (text: string, visibility: 'public' | 'private' = 'public') =>
      api('POST', `/api/v1/cases/${caseId}/replies`, { text, visibility });

    const card = await reply('Sorry! We refunded the charge on 4111-1111-1111-1111.');
    expect(card.statusCode).toBe(400);
    expect(card.json().error.message).toMatch(
      /must not repeat the customer's personal data \(card\)/,
    );
    const email = await reply('We wrote to kim.lee@EXAMPLE.com, please check.');
    expect(email.statusCode).toBe(400);
    expect(email.json().error.message).toMatch(/\(email\)/);
    const phone = await reply('We will call +1 415 555 0142 today.');
    expect(phone.statusCode).toBe(400);
    expect(phone.json().error.message).toMatch(/\(phone\)/);
    expect(await outbound(caseId)).toEqual([]);

    // The brand's own support address and line are not the customer's.
    const ours = await reply('Sorry Kim, write to care@acme.example or call 1-800-555-0199.');
    expect(ours.statusCode, ours.body).toBe(201);
    // An id inside a link is no card, though it passes Luhn's check (a DM link, a post's URL).
    const link = await reply(
      'Please DM us: https://x.com/messages/compose?recipient_id=4012888888881881 (or x.com/acme/status/5555555555554444)',
    );
    expect(link.statusCode, link.body).toBe(201);
    // Prose is not a link: a '#', '/' or '=' before the number does not hide it, and the
    // customer's own number stays theirs inside a link's query too.
    for (const text of [
      'We will call you at #415-555-0142.',
      'Your number /415-555-0142 noted',
      'Card on file: #4111 1111 1111 1111',
      'ref=4111111111111111 refunded',
      'Track it at https://acme.example/callback?phone=4155550142',
      'Please DM us: https://x.com/messages/compose?recipient_id=4111111111111111',
    ]) {
      const r = await reply(text);
      expect({ text, status: r.statusCode }).toEqual({ text, status: 400 });
    }
    // In private the customer's own address may be named.
    const dm = await reply('We wrote to kim.lee@example.com just now.', 'private');
    expect(dm.statusCode, dm.body).toBe(201);
    expect((await outbound(caseId)).map((o) => o.visibility).sort()).toEqual([
      'private',
      'public',
      'public',
    ]);
  });

  it('a macro quoting the case subject into a public reply is refused, and changes nothing', async () => {
    const m = aMessage({
      channel: 'facebook',
      visibility: 'public',
      author: { id: '55001122', name: 'Ana' },
      text: 'My card 5555 5555 5555 4444 was charged twice this month',
    });
    await ingest(m);
    const caseId = await caseIdOf(db(), m.externalId);
    const macro = await api('POST', '/api/v1/macros', {
      name: 'ack with subject',
      actions: [
        {
          type: 'reply',
          text: 'Hi, about "{{case.subject}}": we are on it.',
          visibility: 'public',
        },
        { type: 'status', status: 'pending' },
      ],
    });
    expect(macro.statusCode, macro.body).toBe(201);
    const before = await api('GET', `/api/v1/cases/${caseId}`);
    const used = await api('POST', `/api/v1/cases/${caseId}/macros/${macro.json().id}`, {});
    expect(used.statusCode).toBe(400);
    expect(used.json().error.message).toMatch(/personal data \(card\)/);
    expect(await outbound(caseId)).toEqual([]);
    const after = await api('GET', `/api/v1/cases/${caseId}`);
    expect(after.json().status).toBe(before.json().status);
  });
});
