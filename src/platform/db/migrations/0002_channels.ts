import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrate.js';

/**
 * Social channels (issue 4): per-channel health and polling state, and provider events that
 * change a stored message after the fact (deletions, delivery/read receipts), kept durable so
 * one that arrives before its message is applied once the message is stored.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  const s = db.schema;
  await s
    .createTable('channel_state')
    .addColumn('channel_id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('health', 'text', (c) => c.notNull().defaultTo('ok'))
    .addColumn('last_event_at', 'bigint')
    .addColumn('last_error', 'text')
    .addColumn('last_error_at', 'bigint')
    .addColumn('errors_total', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('rate_limit_json', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('cursors_json', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await s
    .createTable('channel_marks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('applied_at', 'bigint')
    .addUniqueConstraint('channel_marks_key_uq', ['workspace_id', 'channel', 'external_id', 'kind'])
    .execute();
  await s
    .createIndex('channel_marks_pending_ix')
    .on('channel_marks')
    .columns(['workspace_id', 'applied_at'])
    .execute();
}
