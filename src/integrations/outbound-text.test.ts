import { describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { startFakePagerDuty } from '../../test/fakes/pagerduty.js';
import { startFakeSlack } from '../../test/fakes/slack.js';
import { appendInbound } from '../ingest/inbound.log.js';
import { readableText } from './outbound-text.js';
import {
  closeWorldsAfterEach,
  fakes,
  ROUTING_KEY,
  withJira,
  world,
} from './testing/escalation-world.js';

closeWorldsAfterEach();

/** Any control character, and any bidirectional control, left in a string. */
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point.
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

describe('readableText', () => {
  it('shows bidirectional controls as code points and takes control characters out', () => {
    expect(readableText('Refund \u202Etupni\u202C now')).toBe('Refund <U+202E>tupni<U+202C> now');
    expect(readableText('a\u200Eb\u200Fc\u2066d\u2069e\u061C')).toBe(
      'a<U+200E>b<U+200F>c<U+2066>d<U+2069>e<U+061C>',
    );
    expect(readableText('bell\u0007 \u001b[31mred\u001b[0m\u009b2J del\u007f')).toBe(
      'bell red del',
    );
    expect(readableText('one\r\ntwo\u2028three\tfour  five ')).toBe('one two three four five');
    expect(readableText('one\r\ntwo\u2028three\n\u0000four', { lines: true })).toBe(
      'one\ntwo\nthree\nfour',
    );
  });
});

describe('escalation text from customers reaches Slack, Jira and PagerDuty readable', () => {
  it('neutralises controls, escapes Slack mrkdwn and keeps Jira markup as text', async () => {
    const w = await world();
    const slack = await startFakeSlack();
    const pd = await startFakePagerDuty();
    fakes.push(slack, pd);
    await w.add('slack', {}, { webhookUrl: `${slack.url}/services/T000/B000/XXXX` });
    await w.add('pagerduty', { eventsUrl: `${pd.url}/v2/enqueue` }, { routingKey: ROUTING_KEY });
    const { jira } = await withJira(w);
    const shown =
      'Refund \u202Etupni\u202C <!channel> <http://evil.example|click> & {code}x{code} [y|http://evil.example]';
    const id = await w.problem(shown);
    // A title stored with controls in it (an older row, or one a detector built from customers'
    // words): the queued escalations carry it as stored.
    const raw = `${shown}\nsecond\u0007 line \u001b[31mred`;
    for (const row of await w.escalations()) {
      const payload = JSON.parse(row.payload_json);
      payload.problem.title = raw;
      await w.db
        .updateTable('outbox')
        .set({ payload_json: JSON.stringify(payload) })
        .where('id', '=', row.id)
        .execute();
    }
    await w.drain();
    await w.change(id, { status: 'fixing', body: 'Crews \u202Eon site\nNext update at 5' });
    await w.drain();
    expect((await w.escalations()).map((r) => r.status)).toEqual([
      'delivered',
      'delivered',
      'delivered',
      'delivered',
      'delivered',
      'delivered',
    ]);
    const { number } = await w.get(id);
    const readable =
      'Refund <U+202E>tupni<U+202C> <!channel> <http://evil.example|click> & {code}x{code} [y|http://evil.example] second line red';

    // Slack: &, < and > escaped as Slack documents, so no mention, link or control sequence
    // comes from the title; the only link is ours.
    const posts = slack.requests.map(
      (r) => r.body as { text: string; blocks: { text: { text: string } }[] },
    );
    expect(posts).toHaveLength(2);
    const slackTitle = readable.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    expect(posts[0].text).toBe(`Problem #${number} opened: ${slackTitle} (1 customer)`);
    for (const p of posts) {
      const block = p.blocks[0].text.text;
      expect(block.match(/<[^>]*>/g)).toEqual([
        expect.stringMatching(/^<http:\/\/.*\|Open in Throughline>$/),
      ]);
      expect(block).not.toMatch(UNSAFE);
      expect(p.text).not.toMatch(UNSAFE);
    }
    // The update's words came through the API, which drops format characters (problem.checks.ts).
    expect(posts[1].blocks[0].text.text).toContain('Update: Crews on site\nNext update at 5');

    // Jira: a one-line summary (Jira refuses line breaks there), ADF of plain text nodes only, so
    // wiki markup and links in the title stay words.
    const created = jira.requests.find(
      (r) => r.method === 'POST' && r.path === '/rest/api/3/issue',
    );
    const fields = (created!.body as { fields: Record<string, unknown> }).fields;
    expect(fields.summary).toBe(`[Problem #${number}] ${readable}`);
    const para = (fields.description as { content: { content: unknown[] }[] }).content;
    expect(para).toHaveLength(1);
    expect(para[0].content).toEqual([
      { type: 'text', text: expect.stringContaining(`${readable} — 1 customer,`) },
    ]);
    const comment = jira.requests.find((r) => r.path.endsWith('/comment'));
    expect(comment?.raw).toContain('Update: Crews on site\\nNext update at 5');
    for (const r of jira.requests) expect(r.raw).not.toMatch(UNSAFE);

    // PagerDuty: the summary the on-call engineer reads.
    const trigger = pd.requests.find(
      (r) => (r.body as { event_action: string }).event_action === 'trigger',
    );
    expect((trigger!.body as { payload: { summary: string } }).payload.summary).toBe(
      `[Problem #${number}] ${readable}`,
    );
    for (const r of pd.requests) expect(r.raw).not.toMatch(UNSAFE);
  });
});

describe('escalation text counts customers as people write it', () => {
  it('one customer, then two: Slack and Jira say "1 customer", then "2 customers"', async () => {
    const w = await world();
    const slack = await startFakeSlack();
    fakes.push(slack);
    await w.add('slack', {}, { webhookUrl: `${slack.url}/services/T000/B000/XXXX` });
    const { jira } = await withJira(w);
    const id = await w.problem();
    await w.drain();
    // A second customer's case, linked by hand; then an update tells the targets.
    const m = aMessage({ text: 'Internet down in 94110 here too' });
    await appendInbound(w.db, w.app.app.workspace.workspaceId, [m], Date.now());
    await w.app.app.pipeline.drain();
    const c = await w.db
      .selectFrom('messages')
      .select('case_id')
      .where('external_id', '=', m.externalId)
      .executeTakeFirstOrThrow();
    const res = await w.app.app.http.inject({
      method: 'POST',
      url: `/api/v1/problems/${id}/links`,
      headers: w.app.auth,
      payload: { link: [c.case_id] },
    });
    expect(res.statusCode, res.body).toBe(200);
    await w.change(id, { body: 'A second street reports it' });
    await w.drain();
    const texts = slack.requests.map((r) => (r.body as { text: string }).text);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toMatch(/\(1 customer\)$/);
    expect(texts[1]).toMatch(/\(2 customers\)\n/);
    const jiraText = jira.requests
      .filter((r) => r.method === 'POST' && /\/issue(\/[^/]+\/comment)?$/.test(r.path))
      .map((r) => r.raw);
    expect(jiraText).toHaveLength(2);
    expect(jiraText[0]).toContain('— 1 customer, status confirmed');
    expect(jiraText[1]).toContain('— 2 customers, status confirmed');
  });
});
