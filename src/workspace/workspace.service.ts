import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import { ensureTeamsNamed } from '../problems/owner-teams.js';
import { DEFAULT_PROBLEM_SETTINGS } from '../problems/problem.settings.js';

export const DEFAULT_WORKSPACE_ID = 'default';

export interface WorkspaceInfo {
  workspaceId: string;
  defaultQueueId: string;
  /** True when this call created the workspace (first start of an empty database). */
  created: boolean;
  /** Holds the simulated demo data (see src/demo). */
  isDemo: boolean;
}

/**
 * Makes sure the installation's workspace exists with a default team and queue. One workspace
 * per installation today; every table already carries `workspace_id` for the day there are more.
 */
export async function ensureWorkspace(db: Kysely<DB>, now = Date.now()): Promise<WorkspaceInfo> {
  // Read first, outside a transaction: every command starts here, and beside a busy server a
  // transaction that may write is better left to the first start, which needs it.
  const known = await existing(db);
  if (known) return known;
  return db.transaction().execute(async (trx) => {
    // The first statement writes. On SQLite it takes the write lock (waiting for another
    // process's, within the busy timeout) before anything is read: two commands started at
    // once on a new desk (two replays) read "no workspace" and the second one's write then
    // failed at once with "database is locked", its snapshot overtaken by the first's commit.
    const inserted = await trx
      .insertInto('workspaces')
      .values({ id: DEFAULT_WORKSPACE_ID, name: 'Throughline', is_demo: 0, created_at: now })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    const created = Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
    const ws = await trx
      .selectFrom('workspaces')
      .select(['id', 'is_demo'])
      .where('id', '=', DEFAULT_WORKSPACE_ID)
      .executeTakeFirst();
    let queue = await trx
      .selectFrom('queues')
      .select('id')
      .where('workspace_id', '=', DEFAULT_WORKSPACE_ID)
      .where('is_default', '=', 1)
      .executeTakeFirst();
    if (!queue) {
      const teamId = newId();
      await trx
        .insertInto('teams')
        .values({
          id: teamId,
          workspace_id: DEFAULT_WORKSPACE_ID,
          name: 'Care desk',
          created_at: now,
        })
        .execute();
      queue = { id: newId() };
      await trx
        .insertInto('queues')
        .values({
          id: queue.id,
          workspace_id: DEFAULT_WORKSPACE_ID,
          name: 'Inbox',
          team_id: teamId,
          is_default: 1,
          created_at: now,
        })
        .execute();
      // The desk starts with the teams its default problem owner rules name, so a problem they
      // route gets an owner team and only that team's agents post its status updates.
      const owners = DEFAULT_PROBLEM_SETTINGS.ownerRules.map((r) => r.team);
      await ensureTeamsNamed(trx, DEFAULT_WORKSPACE_ID, owners, now);
    }
    return {
      workspaceId: DEFAULT_WORKSPACE_ID,
      defaultQueueId: queue.id,
      created,
      isDemo: Number(ws?.is_demo ?? 0) === 1,
    };
  });
}

async function existing(db: Kysely<DB>): Promise<WorkspaceInfo | null> {
  const row = await db
    .selectFrom('workspaces')
    .innerJoin('queues', (j) =>
      j.onRef('queues.workspace_id', '=', 'workspaces.id').on('queues.is_default', '=', 1),
    )
    .select(['workspaces.is_demo', 'queues.id as queue_id'])
    .where('workspaces.id', '=', DEFAULT_WORKSPACE_ID)
    .executeTakeFirst();
  if (!row) return null;
  return {
    workspaceId: DEFAULT_WORKSPACE_ID,
    defaultQueueId: row.queue_id,
    created: false,
    isDemo: Number(row.is_demo) === 1,
  };
}

export async function markDemo(db: Kysely<DB>, workspaceId: string): Promise<void> {
  await db
    .updateTable('workspaces')
    .set({ is_demo: 1, name: 'Demo workspace (simulated data)' })
    .where('id', '=', workspaceId)
    .execute();
}
