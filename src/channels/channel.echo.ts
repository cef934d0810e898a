import { type Kysely, sql } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import type { ParsedMessage } from './channel.parsed.js';
import type { OutboundMessage } from './sender.js';

/**
 * An echo of something we said outside Throughline (the X app, Page inbox) carries no reply
 * reference when it is a private message. So it lands in the customer's case, it is made a reply
 * to that customer's latest message on the channel; without one it stays an orphan.
 */
export async function linkEchoes(
  db: Kysely<DB>,
  workspaceId: string,
  parsed: ParsedMessage[],
): Promise<void> {
  for (const p of parsed) {
    const m = p.message;
    if (m.direction !== 'out' || m.inReplyTo || !p.counterpart) continue;
    // Earlier in the same delivery?
    const local = parsed
      .filter(
        (q) =>
          q.message.direction !== 'out' &&
          q.message.channel === m.channel &&
          q.message.author.id === p.counterpart &&
          q.message.sentAt <= m.sentAt,
      )
      .at(-1);
    if (local) {
      m.inReplyTo = local.message.externalId;
      continue;
    }
    const row = await db
      .selectFrom('messages')
      .select('external_id')
      .where('workspace_id', '=', workspaceId)
      .where('channel', '=', m.channel)
      .where('author_address', '=', p.counterpart)
      .where('direction', '=', 'in')
      .where('sent_at', '<=', Date.parse(m.sentAt))
      .orderBy('sent_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (row) {
      m.inReplyTo = row.external_id;
      continue;
    }
    // Not processed yet: the customer's message may still wait in the inbound log (an echo
    // often arrives milliseconds after the message it answers). Only pending rows are scanned.
    const pending = await db
      .selectFrom('inbound_events')
      .select('external_id')
      .where('workspace_id', '=', workspaceId)
      .where('channel', '=', m.channel)
      .where('status', '=', 'pending')
      .where('payload_json', 'like', `%"author":{"id":${JSON.stringify(p.counterpart)}%`)
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (pending) m.inReplyTo = pending.external_id;
  }
}

/** What an adopted echo passes on to our row: a receipt or a deletion it already got. */
export interface EchoCarry {
  status?: string;
  deleted_at?: number;
}

const LATER_THAN_SENT = new Set(['delivered', 'read']);

/**
 * Our send returned the provider's id, and a message row already holds it: the provider's echo
 * of this very send (Messenger `is_echo`, our tweet in `tweet_create_events`) arrived and was
 * stored before the send call answered. Echoes are recognised by direction `out` (the author is
 * our own page or account), so the row is ours: it is removed (its case's count with it) and the
 * caller writes the id on our outbound row, which keeps the agent, the case and the reply
 * reference. One row holds the id, as when the echo comes later and is skipped as a duplicate.
 * A receipt or deletion that landed on the echo is carried over. An inbound message with our id
 * cannot be ours: that throws, and the send is recorded without the id (never sent again).
 */
export async function adoptEcho(
  trx: Kysely<DB>,
  workspaceId: string,
  msg: Pick<OutboundMessage, 'messageId' | 'channel'>,
  externalId: string,
): Promise<EchoCarry> {
  const echo = await trx
    .selectFrom('messages')
    .select(['id', 'case_id', 'direction', 'status', 'deleted_at'])
    .where('workspace_id', '=', workspaceId)
    .where('channel', '=', msg.channel)
    .where('external_id', '=', externalId)
    .where('id', '<>', msg.messageId)
    .executeTakeFirst();
  if (!echo) return {};
  if (echo.direction !== 'out') {
    throw new Error(`the provider id ${externalId} already names an inbound message`);
  }
  await trx.deleteFrom('messages').where('id', '=', echo.id).execute();
  if (echo.case_id) {
    await trx
      .updateTable('cases')
      .set({ message_count: sql<number>`message_count - 1` })
      .where('id', '=', echo.case_id)
      .where('message_count', '>', 0)
      .execute();
  }
  return {
    ...(LATER_THAN_SENT.has(echo.status) ? { status: echo.status } : {}),
    ...(echo.deleted_at !== null ? { deleted_at: Number(echo.deleted_at) } : {}),
  };
}
