import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrate.js';

/**
 * Root-cause problems (issue 6): problems, their links to cases, history, status updates,
 * per-customer notification delivery, settings and escalation integrations.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  const s = db.schema;

  await s
    .createTable('problems')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('number', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('topic', 'text')
    .addColumn('area_json', 'text')
    .addColumn('area_key', 'text')
    .addColumn('signature_json', 'text')
    .addColumn('owner_team_id', 'text')
    .addColumn('owner', 'text')
    .addColumn('external_refs_json', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('baseline_json', 'text')
    .addColumn('detected_at', 'bigint', (c) => c.notNull())
    .addColumn('first_event_at', 'bigint', (c) => c.notNull())
    .addColumn('last_event_at', 'bigint', (c) => c.notNull())
    .addColumn('customer_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('message_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('still_broken_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('eta_at', 'bigint')
    .addColumn('merged_into', 'text')
    .addColumn('fixed_at', 'bigint')
    .addColumn('closed_at', 'bigint')
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('problems_number_uq', ['workspace_id', 'number'])
    .execute();
  await s
    .createIndex('problems_status_ix')
    .on('problems')
    .columns(['workspace_id', 'status', 'detected_at'])
    .execute();

  await s
    .createTable('problem_links')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('problem_id', 'text', (c) => c.notNull())
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('linked_at', 'bigint', (c) => c.notNull())
    .addColumn('unlinked_at', 'bigint')
    .addColumn('resolve_due_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('problem_links_uq', ['problem_id', 'case_id'])
    .execute();
  await s.createIndex('problem_links_case_ix').on('problem_links').column('case_id').execute();
  await s
    .createIndex('problem_links_due_ix')
    .on('problem_links')
    .column('resolve_due_at')
    .execute();

  await s
    .createTable('problem_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('problem_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('data_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('event_at', 'bigint', (c) => c.notNull())
    .execute();
  await s
    .createIndex('problem_events_problem_ix')
    .on('problem_events')
    .columns(['problem_id', 'id'])
    .execute();

  await s
    .createTable('problem_updates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('problem_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('eta_at', 'bigint')
    .addColumn('author', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await s
    .createTable('problem_notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('problem_id', 'text', (c) => c.notNull())
    .addColumn('update_id', 'text', (c) => c.notNull())
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('channel', 'text')
    .addColumn('address', 'text')
    .addColumn('message_id', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .addUniqueConstraint('problem_notifications_uq', ['update_id', 'case_id'])
    .execute();
  await s
    .createIndex('problem_notifications_problem_ix')
    .on('problem_notifications')
    .columns(['problem_id', 'status'])
    .execute();

  await s
    .createTable('problem_settings')
    .addColumn('workspace_id', 'text', (c) => c.primaryKey())
    .addColumn('settings_json', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await s
    .createTable('integrations')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('config_json', 'text', (c) => c.notNull())
    .addColumn('secrets_enc', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('disabled_at', 'bigint')
    .execute();
}
