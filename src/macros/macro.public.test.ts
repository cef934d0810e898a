import { beforeAll, describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { careWorld } from '../cases/test-world.js';

/**
 * A customer's display name and the case subject are theirs to write. Filled into a public reply
 * (a macro sends it unseen) they must not mention anyone, carry a link, or span lines; a private
 * reply or a note keeps their words.
 */
describe.each(ENGINES)('customer text in public replies from templates, on %s', (engine) => {
  const t = suiteApp(engine);
  const w = careWorld(() => t);
  let caseId: string;
  const NAME = '@KestrelHelp_CEO https://phish.example/login';
  beforeAll(async () => {
    caseId = await w.openCase(
      aMessage({
        channel: 'x',
        visibility: 'public',
        author: { id: '990011', handle: 'qa_u1', name: NAME },
        text: '@KestrelHelp my internet is down again #outage see www.evil.example/x',
      }),
    );
  });
  const { api } = w;

  it('a macro posts no mention, hashtag or link from the name or subject', async () => {
    const macro = await api('POST', '/api/v1/macros', {
      name: 'greet',
      actions: [
        { type: 'reply', text: 'Hi {{customer.name}}, about {{case.subject}}: we are on it.' },
        { type: 'note', body: 'Greeted {{customer.first_name}} ({{customer.name}})' },
      ],
    });
    expect(macro.statusCode, macro.body).toBe(201);
    const used = await api('POST', `/api/v1/cases/${caseId}/macros/${macro.json().id}`, {});
    expect(used.statusCode, used.body).toBe(200);
    const out = await t.app.database.db
      .selectFrom('messages')
      .select(['text', 'visibility'])
      .where('case_id', '=', caseId)
      .where('direction', '=', 'out')
      .executeTakeFirstOrThrow();
    expect(out.visibility).toBe('public');
    expect(out.text).toMatch(/^Hi KestrelHelp_CEO, about /);
    expect(out.text).not.toMatch(/[@#]|https?:|phish|www\.|evil/);
    expect(out.text).toContain('my internet is down again outage');
    // A note stays on the desk: the name as the customer wrote it.
    const note = await t.app.database.db
      .selectFrom('notes')
      .select('body')
      .where('case_id', '=', caseId)
      .executeTakeFirstOrThrow();
    expect(note.body).toBe(`Greeted @KestrelHelp_CEO (${NAME})`);
  });

  it('the canned-reply preview renders as the reply would go, or as asked', async () => {
    const canned = await api('POST', '/api/v1/canned-replies', {
      name: 'sorry',
      body: 'Hi {{customer.first_name}}, sorry about {{case.subject}}',
    });
    expect(canned.statusCode).toBe(201);
    const url = `/api/v1/cases/${caseId}/canned-replies/${canned.json().id}`;
    const preview = await api('GET', url);
    expect(preview.statusCode).toBe(200);
    expect(preview.json().visibility).toBe('public');
    expect(preview.json().text).toMatch(/^Hi KestrelHelp_CEO, sorry about KestrelHelp my/);
    expect(preview.json().text).not.toMatch(/[@#]|www\./);
    const privately = await api('GET', `${url}?visibility=private`);
    expect(privately.json()).toMatchObject({ visibility: 'private' });
    expect(privately.json().text).toMatch(/^Hi @KestrelHelp_CEO, sorry about @KestrelHelp my/);
  });
});
