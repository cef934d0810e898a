import { describe, expect, it } from 'vitest';
import { aMessage } from '../../../test/builders.js';
import { ENGINES } from '../../../test/support/engines.js';
import { suiteApp } from '../../../test/support/suite.js';
import { careWorld, iso } from '../../cases/test-world.js';
import type { InboundMessage } from '../inbound.schema.js';
import { ingestStream } from '../ingest-stream.js';

const MINUTE = 60_000;

/**
 * An imported case is resolved at its last message, the brand's reply included, however the
 * rows come: the customer's two tweets and the brand's answer in one batch, the answer in a later
 * batch, or the answer first (an orphan until its tweet comes).
 */
describe.each(ENGINES)('imported history resolved at its last message on %s', (engine) => {
  const t = suiteApp(engine);
  const w = careWorld(() => t);
  const feed = (messages: InboundMessage[]) =>
    ingestStream(messages, {
      database: t.app.database,
      workspaceId: t.app.workspace.workspaceId,
      pipeline: t.app.pipeline,
      history: true,
    });
  let n = 0;
  /** The customer's two tweets (22:00, 22:30 in reply) and the brand's reply at 23:00. */
  const thread = () => {
    n++;
    const at = Date.UTC(2017, 9, 31, 22, 0) + n * 24 * 60 * MINUTE;
    const customer = { id: `30${n}`, handle: `30${n}` };
    const first = aMessage({
      channel: 'x',
      visibility: 'public',
      author: customer,
      text: 'my bill doubled this month',
      sentAt: iso(at),
    });
    const second = aMessage({
      channel: 'x',
      visibility: 'public',
      author: customer,
      text: 'hello? anyone there?',
      sentAt: iso(at + 30 * MINUTE),
      inReplyTo: first.externalId,
    });
    const answer = aMessage({
      channel: 'x',
      visibility: 'public',
      direction: 'out',
      author: { id: 'sprintcare', handle: 'sprintcare' },
      text: 'Sorry about that, please DM us your account number',
      sentAt: iso(at + 60 * MINUTE),
      inReplyTo: second.externalId,
    });
    return { first, second, answer, replyAt: at + 60 * MINUTE };
  };
  const expectResolvedAtReply = async (m: InboundMessage, replyAt: number) => {
    const c = await w.caseOf(m.externalId);
    expect(c).toMatchObject({ status: 'resolved', message_count: 3 });
    expect(Number(c.last_message_at)).toBe(replyAt);
    expect(Number(c.first_response_at)).toBe(replyAt);
    expect(Number(c.resolved_at)).toBe(replyAt);
    const dto = (await w.api('GET', `/api/v1/cases/${c.id}`)).json();
    expect(dto.resolvedAt).toBe(iso(replyAt));
    expect(dto.resolvedAt).toBe(dto.lastMessageAt);
  };

  it('in one batch', async () => {
    const { first, second, answer, replyAt } = thread();
    await feed([first, second, answer]);
    await expectResolvedAtReply(first, replyAt);
  });

  it('with the brand’s reply in a later batch', async () => {
    const { first, second, answer, replyAt } = thread();
    await feed([first, second]);
    await feed([answer]);
    await expectResolvedAtReply(first, replyAt);
  });

  it('with the brand’s reply before the tweet it answers, in the batch', async () => {
    const { first, second, answer, replyAt } = thread();
    await feed([first, answer, second]);
    await expectResolvedAtReply(first, replyAt);
  });

  it('with the brand’s reply stored before the tweet it answers', async () => {
    const { first, second, answer, replyAt } = thread();
    await feed([first]);
    await feed([answer]);
    await feed([second]);
    await expectResolvedAtReply(first, replyAt);
  });
});
