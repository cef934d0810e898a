import { describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { careWorld } from '../cases/test-world.js';
import type { InboundMessage } from '../ingest/inbound.schema.js';
import { mentionMasker } from './erase-mentions.js';

describe('masking an erased person in other people’s posts', () => {
  const mask = mentionMasker({
    handles: ['zqhandle', '1001'],
    names: ['Zelda Pennywhistle', 'Will'],
  })!;
  it('masks @handles, full names and capitalised name words, not parts of words or numbers', () => {
    expect(mask('@ZQhandle thanks Zelda, Zelda Pennywhistle and zelda pennywhistle')).toBe(
      '[erased] thanks [erased], [erased] and [erased]',
    );
    expect(mask('we will fix it, Will; Zeldas and 1001 apples, @1001')).toBe(
      'we will fix it, [erased]; Zeldas and 1001 apples, [erased]',
    );
    expect(mask('mail zqhandle@example.com or zqhandle2')).toBe(
      'mail [erased]@example.com or zqhandle2',
    );
  });
});

describe.each(ENGINES)('erasure and other people’s replies in the erased case on %s', (engine) => {
  const t = suiteApp(engine);
  const { db, api, ingest } = careWorld(() => t);
  const row = (m: InboundMessage) =>
    db()
      .selectFrom('messages')
      .select(['customer_id', 'case_id', 'text'])
      .where('external_id', '=', m.externalId)
      .executeTakeFirstOrThrow();
  const search = async (q: string) =>
    (
      (await api('GET', `/api/v1/cases?q=${encodeURIComponent(q)}&limit=50`)).json().items as {
        id: string;
      }[]
    ).map((c) => c.id);

  it('masks her handle and name in others’ posts of her case, in text, search and raw event', async () => {
    const post = aMessage({
      channel: 'x',
      author: { id: 'x-zq', handle: 'zqhandle', name: 'Zelda Pennywhistle' },
      text: 'ZQMARK my router died',
    });
    const reply = aMessage({
      channel: 'x',
      author: { id: 'x-other', handle: 'otherguy', name: 'Other Guy' },
      text: '@zqhandle thanks Zelda OTHERREPLY',
      inReplyTo: post.externalId,
    });
    // His own post elsewhere is his case, not hers: left as it is.
    const own = aMessage({
      channel: 'x',
      author: { id: 'x-other', handle: 'otherguy', name: 'Other Guy' },
      text: 'OWNPOST said hi to Zelda today',
    });
    await ingest(post, reply, own);
    const hers = await row(post);
    expect((await row(reply)).case_id).toBe(hers.case_id);
    expect(await search('zqhandle')).toContain(hers.case_id);

    const erased = await api('POST', `/api/v1/customers/${hers.customer_id}/erase`, {
      confirm: true,
    });
    expect(erased.statusCode, erased.body).toBe(200);
    const after = await row(reply);
    expect(after.text).toBe('[erased] thanks [erased] OTHERREPLY');
    for (const q of ['zqhandle', 'Zelda', 'Pennywhistle'])
      expect(await search(q), q).not.toContain(hers.case_id);
    expect(await search('OTHERREPLY')).toEqual([hers.case_id]);
    const logged = await db()
      .selectFrom('inbound_events')
      .select('payload_json')
      .where('external_id', '=', reply.externalId)
      .executeTakeFirstOrThrow();
    expect(logged.payload_json).not.toMatch(/zqhandle|Zelda/);
    expect(JSON.parse(logged.payload_json)).toMatchObject({
      text: '[erased] thanks [erased] OTHERREPLY',
      author: { handle: 'otherguy', name: 'Other Guy' },
    });
    expect((await row(own)).text).toBe(own.text);
  });
});
