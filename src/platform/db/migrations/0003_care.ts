import type { Kysely } from 'kysely';
import type { MigrationContext } from '../migrate.js';

/**
 * The care core (issue 5): identities and merges, routing and agents, SLA calendars, policies
 * and clocks, promises, CSAT, canned replies and macros, presence, reputation alerts.
 * Table types live in `src/cases/care.schema.ts` (module augmentation of `DB`).
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  const s = db.schema;
  const base = (name: string) =>
    s
      .createTable(name)
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', (c) => c.notNull());

  // --- customers and identities
  await s
    .alterTable('customers')
    .addColumn('attributes_json', 'text', (c) => c.notNull().defaultTo('{}'))
    .execute();
  // Verified identifiers shared across channels: `phone:+14155550100`, `email:ana@example.com`.
  await s.alterTable('identities').addColumn('link_key', 'text').execute();
  await s
    .createIndex('identities_link_ix')
    .on('identities')
    .columns(['workspace_id', 'link_key'])
    .execute();
  await base('customer_merges')
    .addColumn('survivor_id', 'text', (c) => c.notNull())
    .addColumn('merged_id', 'text', (c) => c.notNull())
    .addColumn('actor_type', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    /** Exactly what moved and what the survivor looked like before: what unmerge restores. */
    .addColumn('snapshot_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('undone_at', 'bigint')
    .addColumn('undone_by', 'text')
    .addColumn('undo_reason', 'text')
    .execute();
  await s
    .createIndex('customer_merges_ix')
    .on('customer_merges')
    .columns(['survivor_id', 'merged_id'])
    .execute();
  await base('match_suggestions')
    .addColumn('customer_a', 'text', (c) => c.notNull())
    .addColumn('customer_b', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('score', 'real', (c) => c.notNull())
    .addColumn('evidence_json', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text')
    .addColumn('decided_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('match_suggestions_uq', [
      'workspace_id',
      'customer_a',
      'customer_b',
      'kind',
    ])
    .execute();
  await s
    .createIndex('match_suggestions_b_ix')
    .on('match_suggestions')
    .columns(['customer_b'])
    .execute();

  // --- cases: routing results and the surge seam
  await s.alterTable('cases').addColumn('topic', 'text').execute();
  await s
    .alterTable('cases')
    .addColumn('priority_score', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  /** Cases with the same key are one surge (e.g. `outage:94110`); problems set `problem_id`. */
  await s.alterTable('cases').addColumn('group_key', 'text').execute();
  await s.alterTable('cases').addColumn('problem_id', 'text').execute();
  await s
    .alterTable('cases')
    .addColumn('reopen_count', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await s
    .alterTable('cases')
    .addColumn('escalated', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await s
    .createIndex('cases_group_ix')
    .on('cases')
    .columns(['workspace_id', 'group_key'])
    .execute();
  await s.createIndex('cases_problem_ix').on('cases').columns(['problem_id']).execute();
  await s
    .createIndex('cases_unassigned_ix')
    .on('cases')
    .columns(['queue_id', 'assignee_id', 'status'])
    .execute();

  // --- routing and agents
  await s
    .alterTable('queues')
    .addColumn('assignment_mode', 'text', (c) => c.notNull().defaultTo('manual'))
    .execute();
  await base('routing_rules')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('conditions_json', 'text', (c) => c.notNull())
    .addColumn('queue_id', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await s
    .createTable('queue_members')
    .addColumn('queue_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('queue_members_pk', ['queue_id', 'user_id'])
    .execute();
  await s
    .createTable('agent_profiles')
    .addColumn('user_id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('availability', 'text', (c) => c.notNull().defaultTo('offline'))
    .addColumn('capacity', 'integer', (c) => c.notNull().defaultTo(10))
    .addColumn('skills_json', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('team_id', 'text')
    .addColumn('last_assigned_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await base('reputation_alerts')
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('case_id', 'text')
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('external_id', 'text', (c) => c.notNull())
    .addColumn('followers', 'bigint', (c) => c.notNull())
    .addColumn('excerpt', 'text', (c) => c.notNull())
    .addColumn('sent_at', 'bigint', (c) => c.notNull())
    .addColumn('acknowledged_at', 'bigint')
    .addColumn('acknowledged_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('reputation_alerts_uq', ['workspace_id', 'channel', 'external_id'])
    .execute();

  // --- SLA
  await base('sla_calendars')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('hours_json', 'text', (c) => c.notNull())
    .addColumn('holidays_json', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await base('sla_policies')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('priority', 'text', (c) => c.notNull())
    /** Null: every channel (channel parity); a channel only when an admin says otherwise. */
    .addColumn('channel', 'text')
    .addColumn('calendar_id', 'text')
    .addColumn('first_response_minutes', 'integer')
    .addColumn('next_response_minutes', 'integer')
    .addColumn('resolution_minutes', 'integer')
    .addColumn('at_risk_percent', 'integer', (c) => c.notNull().defaultTo(80))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await s
    .createTable('case_sla')
    .addColumn('case_id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('policy_id', 'text')
    .addColumn('calendar_json', 'text', (c) => c.notNull())
    .addColumn('clocks_json', 'text', (c) => c.notNull())
    .addColumn('paused_at', 'bigint')
    /** Earliest running deadline, for "at risk" lists. */
    .addColumn('next_due_at', 'bigint')
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await s
    .createIndex('case_sla_due_ix')
    .on('case_sla')
    .columns(['workspace_id', 'next_due_at'])
    .execute();
  await s
    .createTable('sla_events')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('clock', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await s.createIndex('sla_events_case_ix').on('sla_events').columns(['case_id']).execute();
  await s.createIndex('timers_ref_ix').on('timers').columns(['ref_id']).execute();

  // --- promises
  await base('promises')
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    .addColumn('remind_at', 'bigint')
    .addColumn('channel', 'text')
    .addColumn('address', 'text')
    .addColumn('owner_user_id', 'text')
    .addColumn('owner_team_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('reminded_at', 'bigint')
    .addColumn('settled_at', 'bigint')
    .addColumn('settled_by', 'text')
    .addColumn('settled_how', 'text')
    .execute();
  await s.createIndex('promises_case_ix').on('promises').columns(['case_id']).execute();
  await s.createIndex('promises_customer_ix').on('promises').columns(['customer_id']).execute();
  await s
    .createIndex('promises_status_ix')
    .on('promises')
    .columns(['workspace_id', 'status', 'due_at'])
    .execute();

  // --- CSAT, canned replies, macros, presence
  await base('csat_surveys')
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('customer_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('agent_id', 'text')
    .addColumn('token', 'text', (c) => c.notNull().unique())
    .addColumn('sent_at', 'bigint', (c) => c.notNull())
    .addColumn('rating', 'integer')
    .addColumn('comment', 'text')
    .addColumn('answered_at', 'bigint')
    .execute();
  await s.createIndex('csat_case_ix').on('csat_surveys').columns(['case_id']).execute();
  await base('canned_replies')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('shortcut', 'text')
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await base('macros')
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('actions_json', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await s
    .createTable('presence')
    .addColumn('case_id', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('workspace_id', 'text', (c) => c.notNull())
    .addColumn('user_name', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('presence_pk', ['case_id', 'user_id'])
    .execute();
}
