import type { Kysely } from 'kysely';

/**
 * Inbound messages a pipeline stored while another node held the problem detector
 * (`src/problems/peer-scan.ts`): written in the batch's transaction, read and deleted in the
 * detecting node's transaction. A durable hand-over instead of a scan by wall time, so messages
 * are neither lost when the detecting node stops nor observed twice by the next one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('detector_backlog')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint', (c) => c.notNull())
    .addColumn('reopened', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('detector_backlog_pk', ['workspace_id', 'channel', 'external_id'])
    .execute();
  await db.schema
    .createIndex('detector_backlog_seq_idx')
    .on('detector_backlog')
    .columns(['workspace_id', 'seq'])
    .execute();
}
