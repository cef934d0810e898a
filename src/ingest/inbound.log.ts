import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import type { InboundMessage } from './inbound.schema.js';

export interface AppendResult {
  /** One entry per input message, in input order. */
  results: { channel: string; externalId: string; status: 'accepted' | 'duplicate' }[];
  accepted: number;
  duplicates: number;
}

/**
 * Writes inbound messages to the inbound log in one statement. The unique key
 * (workspace, channel, external id) makes a re-delivery a no-op; the caller acknowledges
 * only after this resolves, i.e. after the insert is committed.
 */
export async function appendInbound(
  db: Kysely<DB>,
  workspaceId: string,
  messages: InboundMessage[],
  receivedAt: number,
): Promise<AppendResult> {
  if (messages.length === 0) return { results: [], accepted: 0, duplicates: 0 };
  const rows = messages.map((m) => ({
    workspace_id: workspaceId,
    channel: m.channel,
    external_id: m.externalId,
    received_at: receivedAt,
    payload_json: JSON.stringify(m),
    status: 'pending' as const,
    attempts: 0,
    next_attempt_at: receivedAt,
  }));
  const inserted = new Set<string>();
  // Chunked to stay under the engines' bound-parameter limits (8 columns a row).
  for (let i = 0; i < rows.length; i += 1000) {
    const chunk = rows.slice(i, i + 1000);
    const out = await db
      .insertInto('inbound_events')
      .values(chunk)
      .onConflict((oc) => oc.columns(['workspace_id', 'channel', 'external_id']).doNothing())
      .returning(['channel', 'external_id'])
      .execute();
    for (const r of out) inserted.add(`${r.channel}\u0000${r.external_id}`);
  }
  const results: AppendResult['results'] = [];
  let accepted = 0;
  for (const m of messages) {
    const key = `${m.channel}\u0000${m.externalId}`;
    // The first occurrence of a key within one request is the accepted one; repeats are duplicates.
    if (inserted.delete(key)) {
      accepted++;
      results.push({ channel: m.channel, externalId: m.externalId, status: 'accepted' });
    } else {
      results.push({ channel: m.channel, externalId: m.externalId, status: 'duplicate' });
    }
  }
  return { results, accepted, duplicates: messages.length - accepted };
}
