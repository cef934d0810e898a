/** Reading a case and writing its history, shared by every case-changing service. */
import { type Kysely, sql, type Updateable } from 'kysely';
import type { CaseTable, DB } from '../platform/db/schema.js';
import { AppError, notFound } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { toMessageDto } from './case.dto.js';

export async function loadCase(trx: Kysely<DB>, workspaceId: string, caseId: string) {
  const row = await trx
    .selectFrom('cases')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', caseId)
    .executeTakeFirst();
  if (!row) throw notFound('case');
  return row;
}

/**
 * Refuses a change made on a stale view of the case (another agent or a new customer message
 * got there first) and shows the messages the agent has not seen.
 */
export async function checkVersion(
  trx: Kysely<DB>,
  c: { id: string; version: number },
  expected: number | undefined,
  seenMessageId?: string,
) {
  if (expected === undefined || expected === c.version) return;
  // Message ids are time-ordered (UUIDv7): those after the last one the agent saw are new to them.
  const newer = await trx
    .selectFrom('messages')
    .selectAll()
    .where('case_id', '=', c.id)
    .$if(seenMessageId !== undefined, (q) => q.where('id', '>', seenMessageId!))
    .orderBy('sent_at', 'desc')
    .limit(20)
    .execute();
  const changes = await trx
    .selectFrom('case_events')
    .select(['type', 'actor_type', 'actor_id', 'data_json', 'created_at'])
    .where('case_id', '=', c.id)
    .orderBy('id', 'desc')
    .limit(Math.min(20, Math.max(1, c.version - expected)))
    .execute();
  throw new AppError('conflict', `the case changed since you loaded it (version ${c.version})`, {
    currentVersion: c.version,
    newerMessages: newer.reverse().map(toMessageDto),
    changes: changes.reverse().map((e) => ({
      type: e.type,
      actor: { type: e.actor_type, id: e.actor_id },
      data: JSON.parse(e.data_json),
      at: new Date(Number(e.created_at)).toISOString(),
    })),
  });
}

/** Columns a versioned change may write; the version itself is claimVersion's to move. */
export type CaseChanges = Omit<Updateable<CaseTable>, 'id' | 'workspace_id' | 'version'>;

/**
 * Takes the case's next version in one conditional UPDATE (`… WHERE version = expected`), so
 * that of concurrent changes made on one view of the case exactly one goes through: on
 * PostgreSQL the others wait for its row lock, then find the version moved and get the 409
 * `checkVersion` gives. Without an expected version it still takes the row (and the next
 * version), so that the change is made on what the case holds now. `set` is written by the same
 * statement, so the change and its version move together or not at all.
 */
export async function claimVersion(
  trx: Kysely<DB>,
  c: { id: string; workspace_id: string; version: number },
  expected: number | undefined,
  set: CaseChanges = {},
  seenMessageId?: string,
) {
  const r = await trx
    .updateTable('cases')
    .set({ ...set, version: sql<number>`version + 1` })
    .where('id', '=', c.id)
    .$if(expected !== undefined, (q) => q.where('version', '=', expected!))
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) {
    await checkVersion(trx, await loadCase(trx, c.workspace_id, c.id), expected, seenMessageId);
    // The version matched on a re-read: the row changed between; still a conflict.
    throw new AppError('conflict', 'the case changed since you loaded it');
  }
}

/** Who changed a case: a person, a machine token, or the system (pipeline, scheduler, …). */
export interface CaseEventActor {
  type: 'user' | 'token' | 'system';
  id: string | null;
}

/**
 * The history rows of entries the pipeline and the problem runtime write on the system's behalf
 * (`actor` system/pipeline), stamped `now`, each at its own event time.
 */
export function pipelineCaseEventRows(
  workspaceId: string,
  events: readonly { caseId: string; type: string; data: unknown; eventAt: number }[],
  now: number,
) {
  return events.map((e) => ({
    id: newId(),
    workspace_id: workspaceId,
    case_id: e.caseId,
    type: e.type,
    actor_type: 'system' as const,
    actor_id: 'pipeline',
    data_json: JSON.stringify(e.data),
    created_at: now,
    event_at: e.eventAt,
  }));
}

/**
 * Appends one entry to a case's history, in the caller's transaction. `eventAt` is the event
 * time the entry refers to (a deadline, a message's time); it defaults to the wall time `now`.
 */
export async function caseEvent(
  trx: Kysely<DB>,
  workspaceId: string,
  caseId: string,
  actor: CaseEventActor,
  type: string,
  data: Record<string, unknown>,
  now: number,
  eventAt: number = now,
) {
  await trx
    .insertInto('case_events')
    .values({
      id: newId(),
      workspace_id: workspaceId,
      case_id: caseId,
      type,
      actor_type: actor.type,
      actor_id: actor.id,
      data_json: JSON.stringify(data),
      created_at: now,
      event_at: eventAt,
    })
    .execute();
}
