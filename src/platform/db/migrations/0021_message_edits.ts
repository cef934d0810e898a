import type { Kysely } from 'kysely';

/**
 * Provider edits of a customer's message (Messenger `message_edit`, an edited post on X) that
 * wait for the message they change, as `channel_marks` do for receipts (`src/channels/channel.edits.ts`).
 * `edit_key` makes a re-delivered edit one row; `prior_ids` are the provider ids the edited
 * message may be stored under (space-separated). An applied edit keeps its key and time, not its
 * text (the history lives on the message, where erasure finds it).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('message_edits')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('edit_key', 'text', (c) => c.notNull())
    .addColumn('prior_ids', 'text', (c) => c.notNull())
    .addColumn('new_external_id', 'text')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('applied_at', 'bigint')
    .addUniqueConstraint('message_edits_key_uq', ['workspace_id', 'channel', 'edit_key'])
    .execute();
  await db.schema
    .createIndex('message_edits_pending_ix')
    .on('message_edits')
    .columns(['workspace_id', 'applied_at'])
    .execute();
}
