import { describe, expect, it } from 'vitest';
import { startFakeSlack } from '../../test/fakes/slack.js';
import { fitEscaped } from './slack-text.js';
import { closeWorldsAfterEach, fakes, world } from './testing/escalation-world.js';

/**
 * Slack refuses a section text over 3,000 characters (400 invalid_blocks), and escaping makes
 * text longer: a 2,000-character update full of `&`, or a title of bidirectional controls shown
 * as `&lt;U+202E&gt;`, went over it and the update never arrived (slack-text.ts).
 */
closeWorldsAfterEach();

/** Every `&` starts one of the escapes Slack reads: none was cut in half. */
const WHOLE_ESCAPES = /&(?!amp;|lt;|gt;)/;

describe('Slack messages within Block Kit limits', () => {
  it('a long escaped title and update fit the section; the top-level text keeps them whole', async () => {
    const w = await world();
    const slack = await startFakeSlack();
    fakes.push(slack);
    await w.add('slack', {}, { webhookUrl: `${slack.url}/services/T000/B000/XXXX` });
    const title = `Outage ${'<&'.repeat(96)}`;
    expect(title.length).toBeLessThanOrEqual(200);
    const id = await w.problem(title);
    const body = `${'R&D <crew> '.repeat(181)}done`;
    expect(body.length).toBeLessThanOrEqual(2000);
    await w.change(id, { status: 'fixing', body });
    await w.drain();
    expect((await w.escalations()).map((r) => r.status)).toEqual(['delivered', 'delivered']);
    const posts = slack.requests.map(
      (r) => r.body as { text: string; blocks: { text: { text: string } }[] },
    );
    expect(posts).toHaveLength(2);
    for (const p of posts) {
      const section = p.blocks[0].text.text;
      expect(section.length).toBeLessThanOrEqual(3000);
      expect(section).not.toMatch(WHOLE_ESCAPES);
      expect(section).toMatch(/\n<http:\/\/[^>]*\|Open in Throughline>$/);
      expect(p.text.length).toBeLessThanOrEqual(40_000);
      expect(p.text).not.toMatch(WHOLE_ESCAPES);
    }
    const escapedBody = body.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    // The section has the start of the update, cut with an ellipsis; the top-level text all of it.
    expect(posts[1].blocks[0].text.text).toContain(`Update: ${escapedBody.slice(0, 500)}`);
    expect(posts[1].blocks[0].text.text).toContain('…\n<http');
    expect(posts[1].text).toContain(`Update: ${escapedBody}`);
    expect(posts[0].text).toContain('&lt;&amp;'.repeat(96));
  });

  it('cuts escaped text before an escape or a surrogate pair, never inside', () => {
    expect(fitEscaped('abc', 3)).toBe('abc');
    expect(fitEscaped('ab&amp;cd', 5)).toBe('ab…');
    expect(fitEscaped('ab&amp;cd', 8)).toBe('ab&amp;…');
    expect(fitEscaped('ab&lt;&gt;', 9)).toBe('ab&lt;…');
    expect(fitEscaped('a😀b', 3)).toBe('a…');
    expect(fitEscaped('abcdef', 4)).toBe('abc…');
  });
});
