import type { Kysely } from 'kysely';

/**
 * The case list's default order is now by when a case was recorded, newest first (created_at,
 * id): a key no later change moves, so a walk through its pages returns each case once (paging by
 * last activity returned cases that got a message meanwhile twice). These serve that order as the
 * activity indexes of 0001 and 0006 serve the other: the whole workspace, by status, and a
 * queue's or an agent's cases by status, each page one ordered index range.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const s = db.schema;
  await s
    .createIndex('cases_created_ix')
    .on('cases')
    .columns(['workspace_id', 'created_at', 'id'])
    .execute();
  await s
    .createIndex('cases_status_created_ix')
    .on('cases')
    .columns(['workspace_id', 'status', 'created_at', 'id'])
    .execute();
  await s
    .createIndex('cases_queue_created_ix')
    .on('cases')
    .columns(['queue_id', 'status', 'created_at', 'id'])
    .execute();
  await s
    .createIndex('cases_assignee_created_ix')
    .on('cases')
    .columns(['assignee_id', 'status', 'created_at', 'id'])
    .execute();
}
