import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import type { ParsedMessage } from './channel.parsed.js';

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
