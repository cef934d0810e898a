import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrate.js';

/**
 * Triage (issue 3): agents' corrections of a message's topic or complaint flag, and the
 * installation's model versions. A model version is not stored as weights: it is the shipped model
 * plus the corrections up to `last_correction_id`, replayed deterministically (src/triage).
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  const s = db.schema;
  await s
    .createTable('triage_corrections')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('topic', 'text')
    .addColumn('complaint', 'integer')
    /** What the model said before the correction (JSON: topic, complaint, model version). */
    .addColumn('previous_json', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await s
    .createIndex('triage_corrections_ws_ix')
    .on('triage_corrections')
    .columns(['workspace_id', 'id'])
    .execute();
  await s
    .createIndex('triage_corrections_msg_ix')
    .on('triage_corrections')
    .columns(['workspace_id', 'message_id'])
    .execute();

  await s
    .createTable('triage_models')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('base_version', 'text', (c) => c.notNull())
    .addColumn('corrections', 'integer', (c) => c.notNull())
    .addColumn('last_correction_id', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await s
    .createIndex('triage_models_ws_ix')
    .on('triage_models')
    .columns(['workspace_id', 'id'])
    .execute();
}
