import { loadChannel, loadChannelsOfKind } from './channel.store.js';
import type { ChannelRecord, RecordKind } from './channel.types.js';
import type { ChannelDeps } from './routes.js';

/**
 * The channel record that sends a message of a kind whose inbound messages usually name no
 * channel (SMS, and e-mail not read from a mailbox, arrive through the inbound API without a
 * `channelId`): the named one when the message has an id, else the workspace's first enabled
 * channel of the kind (oldest first, so adding a second mailbox does not change who answers).
 * Null when none can.
 */
export async function resolveChannel<C, S>(
  deps: ChannelDeps,
  kind: RecordKind,
  channelId: string | null,
): Promise<ChannelRecord<C, S> | null> {
  if (channelId) {
    const ch = await loadChannel<C, S>(deps.db, deps.secretKey, deps.workspaceId, channelId, kind);
    if (ch && !ch.disabledAt) return ch;
  }
  const [first] = await loadChannelsOfKind<C, S>(
    deps.db,
    deps.secretKey,
    deps.workspaceId,
    kind,
    1,
  );
  return first ?? null;
}

/**
 * Whether resolveChannel would find a channel: an enabled one of the kind exists (a named channel
 * that is gone falls back to the default, so the name does not change the answer). One indexed
 * query, no decryption: cheap enough per route.
 */
export async function hasChannel(
  deps: ChannelDeps,
  kind: RecordKind,
  /** Read through this (a reply's transaction) rather than `deps.db`. */
  db = deps.db,
): Promise<boolean> {
  const row = await db
    .selectFrom('channels')
    .select('id')
    .where('workspace_id', '=', deps.workspaceId)
    .where('kind', '=', kind)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  return row !== undefined;
}
