import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { createChannel, deliverX, X_SECRET } from '../../../../test/fakes/channels.js';
import { ENGINES } from '../../../../test/support/engines.js';
import { suiteApp } from '../../../../test/support/suite.js';
import { aTweet, OUR } from '../../../channels/x/test-world.js';

let seq = 0;

/** One post of a conversation: its role in the scenario, who wrote it, what it answers. */
interface Post {
  role: string;
  author: string;
  text: string;
  agoMs: number;
  answers?: string;
}

/**
 * X delivers webhooks in no promised order: another customer's reply, or the brand's, may come
 * before the post it answers. Whatever the order, the desk ends with the cases the right order
 * gives: the post's case, owned by its author, holding the replies.
 */
describe.each(ENGINES)('replies by others that arrive before their post on %s', (engine) => {
  const t = suiteApp(engine);
  let channelId: string;
  const db = () => t.app.database.db;

  beforeAll(async () => {
    channelId = await createChannel(t, {
      kind: 'x',
      name: 'X',
      config: { accountId: OUR },
      secrets: { consumerSecret: X_SECRET },
    });
  });

  /** Fresh ids and authors for one run of a scenario. */
  function cast(posts: Post[]) {
    seq++;
    const base = 1710000000000000000n + BigInt(seq) * 100n;
    const idOf = new Map(posts.map((p, i) => [p.role, String(base + BigInt(i))]));
    const authorOf = (a: string) =>
      a === 'brand' ? OUR : String(88000 + seq * 10 + a.charCodeAt(0));
    return { idOf, authorOf };
  }

  /**
   * Delivers the posts in the order given (each alone, drained in between when `drainEach`),
   * then describes the cases they landed in: per role its case (numbered by first appearance in
   * role order), the case's owner (the role whose writer it belongs to), status and subject.
   */
  async function run(posts: Post[], order: string[], drainEach: boolean) {
    const { idOf, authorOf } = cast(posts);
    const byRole = new Map(posts.map((p) => [p.role, p]));
    for (const role of order) {
      const p = byRole.get(role)!;
      const answers = p.answers ? { in_reply_to_status_id_str: idOf.get(p.answers) } : {};
      const tweet = aTweet(
        idOf.get(role)!,
        authorOf(p.author),
        `u${authorOf(p.author)}`,
        p.text,
        Date.now() - p.agoMs,
        answers,
      );
      const body = JSON.stringify({ for_user_id: OUR, tweet_create_events: [tweet] });
      expect((await deliverX(t, channelId, body)).statusCode).toBe(200);
      if (drainEach) await t.app.pipeline.drain();
    }
    await t.app.pipeline.drain();
    const rows = await db()
      .selectFrom('messages')
      .leftJoin('cases', 'cases.id', 'messages.case_id')
      .select(['messages.external_id', 'messages.customer_id', 'messages.case_id'])
      .select(['cases.customer_id as owner', 'cases.status', 'cases.subject', 'cases.opened_at'])
      .select('cases.first_response_at')
      .where('messages.external_id', 'in', [...idOf.values()])
      .execute();
    // A writer's first role in the scenario names them.
    const roleOfCustomer = new Map<string | null, string>();
    for (const p of posts) {
      const r = rows.find((x) => x.external_id === idOf.get(p.role));
      if (r && !roleOfCustomer.has(r.customer_id)) roleOfCustomer.set(r.customer_id, p.role);
    }
    const label = new Map<string, number>();
    const shape: Record<string, unknown> = {};
    for (const p of posts) {
      const r = rows.find((x) => x.external_id === idOf.get(p.role))!;
      if (r.case_id && !label.has(r.case_id)) label.set(r.case_id, label.size + 1);
      shape[p.role] = r.case_id
        ? {
            case: label.get(r.case_id),
            owner: roleOfCustomer.get(r.owner),
            status: r.status,
            subject: r.subject,
            answered: r.first_response_at !== null,
          }
        : 'orphan';
    }
    return shape;
  }

  const conversation: Post[] = [
    { role: 'post', author: 'a', text: '@brand no signal since noon in 94110', agoMs: 60_000 },
    {
      role: 'sameHere',
      author: 'b',
      text: '@userA same here, nothing',
      agoMs: 40_000,
      answers: 'post',
    },
  ];

  it("another customer's reply first: the post takes over the case it opened", async () => {
    const inOrder = await run(conversation, ['post', 'sameHere'], true);
    expect(inOrder.post).toMatchObject({ case: 1, owner: 'post' });
    expect(inOrder.sameHere).toMatchObject({ case: 1 });
    for (const drainEach of [true, false]) {
      const reversed = await run(conversation, ['sameHere', 'post'], drainEach);
      expect(reversed, `drained between: ${drainEach}`).toEqual(inOrder);
    }
  });

  it("the brand's reply first: it joins the post's case, answered, as in order", async () => {
    const posts: Post[] = [
      ...conversation,
      {
        role: 'brand',
        author: 'brand',
        text: '@userA looking into it',
        agoMs: 20_000,
        answers: 'post',
      },
    ];
    const inOrder = await run(posts, ['post', 'sameHere', 'brand'], true);
    expect(inOrder.brand).toMatchObject({ case: 1, status: 'open', answered: true });
    for (const drainEach of [true, false]) {
      const reversed = await run(posts, ['brand', 'sameHere', 'post'], drainEach);
      expect(reversed, `drained between: ${drainEach}`).toEqual(inOrder);
    }
  });

  it('a reply that joined an unrelated open case of its writer stays there', async () => {
    const posts: Post[] = [
      { role: 'own', author: 'b', text: '@brand my bill is wrong again', agoMs: 120_000 },
      ...conversation,
    ];
    const reversed = await run(posts, ['own', 'sameHere', 'post'], true);
    // The reply went to its writer's open case, which holds more than this conversation: the
    // post opens its own case and takes nothing of theirs.
    expect(reversed.sameHere).toMatchObject({ case: 1, owner: 'own' });
    expect(reversed.post).toMatchObject({ case: 2, owner: 'post' });
  });

  it('the migration indexes replies by (workspace, channel, in_reply_to)', async () => {
    const rows = await db()
      .selectFrom('messages')
      .select('id')
      .where('workspace_id', '=', t.app.workspace.workspaceId)
      .where('channel', '=', 'x')
      .where('in_reply_to', 'in', ['1', '2'])
      .execute();
    expect(rows).toEqual([]);
    const names =
      engine === 'sqlite'
        ? sql<{ name: string }>`select name from sqlite_master where type = 'index'`
        : sql<{
            name: string;
          }>`select indexname as name from pg_indexes where tablename = 'messages'`;
    const { rows: found } = await names.execute(db());
    expect(found.map((r) => r.name)).toContain('messages_reply_ix');
  });
});
