import type { Kysely, Selectable } from 'kysely';
import type { DB, MessageEditTable } from '../platform/db/schema.js';

/**
 * Drops the edits waiting for a message of the erased customers (`message_edits`, held up to
 * 48 hours with the customer's new text, `src/channels/channel.edits.ts`). An edit names no
 * author, only the provider ids of the message it changes: it is theirs when that message is
 * stored as theirs, or waits in the inbound log from one of their identities. Called before
 * their identities are deleted. Pending edits are few (they expire), so all are read.
 */
export async function dropPendingEdits(
  trx: Kysely<DB>,
  workspaceId: string,
  customerIds: string[],
): Promise<number> {
  const drop = (await pendingEditsOf(trx, workspaceId, customerIds)).map((e) => e.id);
  for (let i = 0; i < drop.length; i += 500) {
    await trx
      .deleteFrom('message_edits')
      .where('id', 'in', drop.slice(i, i + 500))
      .execute();
  }
  return drop.length;
}

/**
 * The edits waiting for a message of these customers (what `dropPendingEdits` drops, and the
 * data-subject export shows): for a message stored as theirs, or waiting in the inbound log from
 * one of their identities.
 */
export async function pendingEditsOf(
  trx: Kysely<DB>,
  workspaceId: string,
  customerIds: string[],
): Promise<Selectable<MessageEditTable>[]> {
  if (customerIds.length === 0) return [];
  const pending = await trx
    .selectFrom('message_edits')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('applied_at', 'is', null)
    .execute();
  if (pending.length === 0) return [];
  const identities = await trx
    .selectFrom('identities')
    .select(['channel', 'address'])
    .where('workspace_id', '=', workspaceId)
    .where('customer_id', 'in', customerIds)
    .execute();
  const theirs = new Set(identities.map((i) => `${i.channel}\n${i.address}`));
  const found: Selectable<MessageEditTable>[] = [];
  for (const e of pending) {
    const priorIds = e.prior_ids.split(' ').filter((id) => id);
    if (priorIds.length === 0) continue;
    const stored = await trx
      .selectFrom('messages')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('channel', '=', e.channel)
      .where('external_id', 'in', priorIds)
      .where('customer_id', 'in', customerIds)
      .limit(1)
      .executeTakeFirst();
    if (stored) {
      found.push(e);
      continue;
    }
    const logged = await trx
      .selectFrom('inbound_events')
      .select('payload_json')
      .where('workspace_id', '=', workspaceId)
      .where('channel', '=', e.channel)
      .where('external_id', 'in', priorIds)
      .execute();
    if (logged.some((l) => theirs.has(`${e.channel}\n${authorOf(l.payload_json)}`))) {
      found.push(e);
    }
  }
  return found;
}

/** The author of a logged inbound message (an erased or unreadable payload has none). */
function authorOf(payload: string): string | null {
  try {
    const id = (JSON.parse(payload) as { author?: { id?: unknown } }).author?.id;
    return typeof id === 'string' ? id : null;
  } catch {
    return null;
  }
}
