import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrate.js';

/** The backbone's tables. Types are chosen to mean the same on SQLite and PostgreSQL. */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  const s = db.schema;
  const id = (c: ReturnType<typeof s.createTable>) =>
    c.addColumn('id', 'text', (col) => col.primaryKey());
  const ws = (c: ReturnType<typeof s.createTable>) =>
    c.addColumn('workspace_id', 'text', (col) => col.notNull());

  await s
    .createTable('workspaces')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('is_demo', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await s
    .createTable('counters')
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('value', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('counters_pk', ['workspace_id', 'name'])
    .execute();

  await ws(id(s.createTable('users')))
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('must_change_password', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('disabled_at', 'bigint')
    .addUniqueConstraint('users_email_uq', ['workspace_id', 'email'])
    .execute();

  await s
    .createTable('sessions')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();

  await ws(id(s.createTable('api_tokens')))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('token_hash', 'text', (c) => c.notNull().unique())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .addColumn('revoked_at', 'bigint')
    .execute();

  await ws(id(s.createTable('teams')))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await ws(id(s.createTable('queues')))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('team_id', 'text')
    .addColumn('is_default', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await ws(id(s.createTable('channels')))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('config_json', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('secrets_enc', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('disabled_at', 'bigint')
    .execute();

  await s
    .createTable('inbound_events')
    .addColumn('seq', ctx.autoIncrementType, (c) =>
      ctx.dialect === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey(),
    )
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('payload_json', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('processed_at', 'bigint')
    .addUniqueConstraint('inbound_events_key_uq', ['workspace_id', 'channel', 'external_id'])
    .execute();
  await s
    .createIndex('inbound_events_work_ix')
    .on('inbound_events')
    // Claiming walks pending events in seq order and skips the few whose retry is not due yet;
    // (status, next_attempt_at, seq) would force a sort of every pending event on each claim.
    .columns(['status', 'seq'])
    .execute();

  await ws(id(s.createTable('customers')))
    .addColumn('display_name', 'text')
    .addColumn('location', 'text')
    .addColumn('reach', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('merged_into', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await ws(id(s.createTable('identities')))
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('handle', 'text')
    .addColumn('name', 'text')
    .addColumn('followers', 'bigint')
    .addColumn('location', 'text')
    .addColumn('verified', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('identities_address_uq', ['workspace_id', 'channel', 'address'])
    .execute();
  await s.createIndex('identities_customer_ix').on('identities').column('customer_id').execute();

  await ws(id(s.createTable('cases')))
    .addColumn('number', 'bigint', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('status_reason', 'text')
    .addColumn('priority', 'text', (c) => c.notNull())
    .addColumn('queue_id', 'text')
    .addColumn('assignee_id', 'text')
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('language', 'text')
    .addColumn('opened_at', 'bigint', (c) => c.notNull())
    .addColumn('last_message_at', 'bigint', (c) => c.notNull())
    .addColumn('last_inbound_at', 'bigint')
    .addColumn('first_response_at', 'bigint')
    .addColumn('resolved_at', 'bigint')
    .addColumn('closed_at', 'bigint')
    .addColumn('message_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('cases_number_uq', ['workspace_id', 'number'])
    .execute();
  await s
    .createIndex('cases_inbox_ix')
    .on('cases')
    .columns(['workspace_id', 'last_message_at', 'id'])
    .execute();
  await s
    .createIndex('cases_status_ix')
    .on('cases')
    .columns(['workspace_id', 'status', 'last_message_at'])
    .execute();
  await s
    .createIndex('cases_customer_ix')
    .on('cases')
    .columns(['customer_id', 'last_message_at'])
    .execute();
  await s
    .createIndex('cases_queue_ix')
    .on('cases')
    .columns(['queue_id', 'last_message_at'])
    .execute();
  await s
    .createIndex('cases_assignee_ix')
    .on('cases')
    .columns(['assignee_id', 'last_message_at'])
    .execute();

  await ws(id(s.createTable('messages')))
    .addColumn('case_id', 'text')
    .addColumn('customer_id', 'text')
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('channel_id', 'text')
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('direction', 'text', (c) => c.notNull())
    .addColumn('visibility', 'text', (c) => c.notNull())
    .addColumn('author_address', 'text', (c) => c.notNull())
    .addColumn('author_name', 'text')
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'bigint', (c) => c.notNull())
    .addColumn('received_at', 'bigint', (c) => c.notNull())
    .addColumn('in_reply_to', 'text')
    .addColumn('conversation_id', 'text')
    .addColumn('language', 'text')
    .addColumn('attachments_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('triage_json', 'text')
    .addColumn('raw_json', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('deleted_at', 'bigint')
    .addColumn('unsolicited', 'integer', (c) => c.notNull().defaultTo(0))
    .addUniqueConstraint('messages_key_uq', ['workspace_id', 'channel', 'external_id'])
    .execute();
  await s.createIndex('messages_case_ix').on('messages').columns(['case_id', 'sent_at']).execute();
  await s
    .createIndex('messages_customer_ix')
    .on('messages')
    .columns(['customer_id', 'sent_at'])
    .execute();

  await ws(id(s.createTable('case_events')))
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('data_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('event_at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createIndex('case_events_case_ix').on('case_events').columns(['case_id', 'id']).execute();

  await ws(id(s.createTable('notes')))
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('author_id', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('mentions_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createIndex('notes_case_ix').on('notes').columns(['case_id', 'created_at']).execute();

  await ws(id(s.createTable('outbox')))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('payload_json', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('delivered_at', 'bigint')
    .execute();
  await s
    .createIndex('outbox_work_ix')
    .on('outbox')
    .columns(['status', 'next_attempt_at'])
    .execute();

  await ws(id(s.createTable('timers')))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('ref_id', 'text', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createIndex('timers_due_ix').on('timers').columns(['status', 'due_at']).execute();

  await ws(id(s.createTable('audit_log')))
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('target', 'text')
    .addColumn('data_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
}
