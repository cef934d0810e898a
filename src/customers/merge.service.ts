import type { Kysely } from 'kysely';
import { caseWriteTransaction } from '../platform/db/case-writes-lock.js';
import type { DB } from '../platform/db/schema.js';
import { AppError, notFound } from '../platform/errors.js';
import type { Actor } from '../platform/http/auth.js';
import { newId } from '../platform/ids.js';
import { refuseErased } from './erased.js';
import { followCasesBack, problemsOfLinks, recountCustomers } from './merge.problems.js';
import { asBefore, mergedFields, survivorAfterUnmerge } from './unmerge.fields.js';
import { separateLaterTraffic } from './unmerge.traffic.js';

/**
 * Tables whose rows belong to a customer by `customer_id` and move with a merge. Problem links and
 * notices too: left on the merged-away id, the one person was two customers to their problems
 * (two notices per update, counted twice: `merge.problems.ts`).
 */
const OWNED = [
  'identities',
  'cases',
  'messages',
  'promises',
  'csat_surveys',
  'reputation_alerts',
  'problem_links',
  'problem_notifications',
] as const;
type Owned = (typeof OWNED)[number];

interface CustomerFields {
  display_name: string | null;
  location: string | null;
  reach: number;
  attributes_json: string;
  updated_at: number;
}

/** What a merge changed, exactly; unmerge puts each of these back and nothing else. */
export interface MergeSnapshot {
  survivorBefore: CustomerFields;
  mergedBefore: CustomerFields;
  moved: Record<Owned, string[]>;
  /** Identities moved (channel + address): their later messages go back on unmerge too. */
  movedAddresses: { channel: string; address: string }[];
}

export interface MergeActor {
  type: Actor['type'] | 'system';
  id: string | null;
}

async function loadCustomer(trx: Kysely<DB>, workspaceId: string, id: string) {
  const c = await trx
    .selectFrom('customers')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!c) throw notFound('customer');
  return c;
}

const fields = (c: {
  display_name: string | null;
  location: string | null;
  reach: number;
  attributes_json?: string;
  updated_at: number;
}): CustomerFields => ({
  display_name: c.display_name,
  location: c.location,
  reach: Number(c.reach),
  attributes_json: c.attributes_json ?? '{}',
  updated_at: Number(c.updated_at),
});

/**
 * Merges customer `mergedId` into `survivorId` inside `trx`. Nothing is deleted: the merged
 * customer stays with `merged_into` set, every moved row is listed in the merge record with the
 * survivor's previous fields, and each moved case gets a history entry. Returns the merge id.
 */
export async function mergeInTrx(
  trx: Kysely<DB>,
  workspaceId: string,
  actor: MergeActor,
  survivorId: string,
  mergedId: string,
  reason: string,
  now: number,
): Promise<string> {
  if (survivorId === mergedId)
    throw new AppError('bad_request', 'a customer cannot merge with itself');
  if (!reason.trim()) throw new AppError('bad_request', 'a merge needs a reason');
  const survivor = await loadCustomer(trx, workspaceId, survivorId);
  const merged = await loadCustomer(trx, workspaceId, mergedId);
  if (survivor.merged_into || merged.merged_into) {
    throw new AppError('invalid_transition', 'one of the customers is already merged into another');
  }
  // Its de-identified rows (cases, times, topics, ratings) would be about a person again, and a
  // live customer would take on the erased record's `[erased]` name and `erased_at`.
  refuseErased(survivor);
  refuseErased(merged);
  const moved = {} as Record<Owned, string[]>;
  for (const table of OWNED) {
    const rows = await trx
      .selectFrom(table)
      .select('id')
      .where('customer_id', '=', mergedId)
      .execute();
    moved[table] = rows.map((r) => r.id);
  }
  const movedAddresses = await trx
    .selectFrom('identities')
    .select(['channel', 'address'])
    .where('customer_id', '=', mergedId)
    .execute();
  const snapshot: MergeSnapshot = {
    survivorBefore: fields(survivor),
    mergedBefore: fields(merged),
    moved,
    movedAddresses,
  };
  for (const table of OWNED) {
    await moveIds(trx, table, moved[table], survivorId);
  }
  await recountCustomers(trx, await problemsOfLinks(trx, moved.problem_links), now);
  await trx
    .updateTable('customers')
    .set({ ...mergedFields(snapshot.survivorBefore, snapshot.mergedBefore), updated_at: now })
    .where('id', '=', survivorId)
    .execute();
  await trx
    .updateTable('customers')
    .set({ merged_into: survivorId, updated_at: now })
    .where('id', '=', mergedId)
    .execute();
  const mergeId = newId();
  await trx
    .insertInto('customer_merges')
    .values({
      id: mergeId,
      workspace_id: workspaceId,
      survivor_id: survivorId,
      merged_id: mergedId,
      actor_type: actor.type,
      actor_id: actor.id,
      reason,
      snapshot_json: JSON.stringify(snapshot),
      created_at: now,
      undone_at: null,
      undone_by: null,
      undo_reason: null,
    })
    .execute();
  await trx
    .updateTable('match_suggestions')
    .set({ status: 'accepted', decided_by: actor.id, decided_at: now })
    .where('workspace_id', '=', workspaceId)
    .where('status', '=', 'open')
    .where((eb) =>
      eb.or([
        eb.and([eb('customer_a', '=', survivorId), eb('customer_b', '=', mergedId)]),
        eb.and([eb('customer_a', '=', mergedId), eb('customer_b', '=', survivorId)]),
      ]),
    )
    .execute();
  await history(
    trx,
    workspaceId,
    moved.cases,
    actor,
    'customer_merged',
    {
      mergeId,
      from: mergedId,
      into: survivorId,
      reason,
    },
    now,
  );
  await audit(
    trx,
    workspaceId,
    actor,
    'customer.merge',
    survivorId,
    // Not the reason: people write names and addresses in it, and the log outlives an erasure
    // (the merge record keeps it, and erasure clears it there).
    { mergeId, mergedId },
    now,
  );
  return mergeId;
}

/**
 * Undoes a merge exactly: the rows it moved (and messages that later arrived from the moved
 * identities, with the cases or a case of their own: `unmerge.traffic.ts`) go back, the survivor
 * gets back its fields as they were where no one changed them since (`unmerge.fields.ts`), and the record keeps who undid
 * it and why. Merges are undone last-first: a later merge involving either customer must be
 * undone before.
 */
export async function unmergeInTrx(
  trx: Kysely<DB>,
  workspaceId: string,
  actor: MergeActor,
  mergeId: string,
  reason: string,
  now: number,
): Promise<{ survivorId: string; mergedId: string }> {
  if (!reason.trim()) throw new AppError('bad_request', 'an unmerge needs a reason');
  const m = await trx
    .selectFrom('customer_merges')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', mergeId)
    .executeTakeFirst();
  if (!m) throw notFound('merge');
  if (m.undone_at !== null)
    throw new AppError('invalid_transition', 'this merge was already undone');
  const newer = await trx
    .selectFrom('customer_merges')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('undone_at', 'is', null)
    .where('id', '>', m.id)
    .where((eb) =>
      eb.or([
        eb('survivor_id', 'in', [m.survivor_id, m.merged_id]),
        eb('merged_id', 'in', [m.survivor_id, m.merged_id]),
      ]),
    )
    .executeTakeFirst();
  if (newer) {
    throw new AppError('conflict', 'a later merge involves these customers; undo it first', {
      mergeId: newer.id,
    });
  }
  const snap = JSON.parse(m.snapshot_json) as MergeSnapshot;
  for (const table of OWNED) {
    await moveIds(trx, table, snap.moved[table] ?? [], m.merged_id, m.survivor_id);
  }
  for (const a of snap.movedAddresses) {
    await trx
      .updateTable('messages')
      .set({ customer_id: m.merged_id })
      .where('customer_id', '=', m.survivor_id)
      .where('channel', '=', a.channel)
      .where('author_address', '=', a.address)
      .where('direction', '=', 'in')
      .execute();
  }
  const later = await separateLaterTraffic(trx, workspaceId, m, snap.moved.messages ?? [], now);
  const relinked = await followCasesBack(trx, m, [...(snap.moved.cases ?? []), ...later.given]);
  const restored = await problemsOfLinks(trx, snap.moved.problem_links ?? []);
  await recountCustomers(trx, new Set([...restored, ...relinked]), now);
  // Edits made to the survivor since the merge stay; what the merge wrote goes back.
  const survivor = await loadCustomer(trx, workspaceId, m.survivor_id);
  await trx
    .updateTable('customers')
    .set(asBefore(survivorAfterUnmerge(fields(survivor), snap), snap.survivorBefore, now))
    .where('id', '=', m.survivor_id)
    .execute();
  // The merge changed nothing on the merged customer but the link: its fields are its own.
  const merged = await loadCustomer(trx, workspaceId, m.merged_id);
  await trx
    .updateTable('customers')
    .set({ ...asBefore(fields(merged), snap.mergedBefore, now), merged_into: null })
    .where('id', '=', m.merged_id)
    .execute();
  await trx
    .updateTable('customer_merges')
    .set({ undone_at: now, undone_by: actor.id, undo_reason: reason })
    .where('id', '=', m.id)
    .execute();
  await history(
    trx,
    workspaceId,
    snap.moved.cases ?? [],
    actor,
    'customer_unmerged',
    {
      mergeId: m.id,
      backTo: m.merged_id,
      reason,
    },
    now,
  );
  const back = { mergeId: m.id, backTo: m.merged_id, reason };
  await history(trx, workspaceId, later.given, actor, 'customer_unmerged', back, now);
  for (const s of later.split) {
    await history(
      trx,
      workspaceId,
      [s.from],
      actor,
      'customer_unmerged',
      { ...back, movedTo: s.to },
      now,
    );
    await history(
      trx,
      workspaceId,
      [s.to],
      actor,
      'customer_unmerged',
      { ...back, movedFrom: s.from },
      now,
    );
  }
  await audit(trx, workspaceId, actor, 'customer.unmerge', m.survivor_id, { mergeId }, now);
  return { survivorId: m.survivor_id, mergedId: m.merged_id };
}

async function moveIds(
  trx: Kysely<DB>,
  table: Owned,
  ids: string[],
  to: string,
  onlyFrom?: string,
) {
  for (let i = 0; i < ids.length; i += 1000) {
    await trx
      .updateTable(table)
      .set({ customer_id: to })
      .where('id', 'in', ids.slice(i, i + 1000))
      .$if(onlyFrom !== undefined, (q) => q.where('customer_id', '=', onlyFrom!))
      .execute();
  }
}

async function history(
  trx: Kysely<DB>,
  workspaceId: string,
  caseIds: string[],
  actor: MergeActor,
  type: string,
  data: Record<string, unknown>,
  now: number,
) {
  if (caseIds.length === 0) return;
  const rows = caseIds.map((caseId) => ({
    id: newId(),
    workspace_id: workspaceId,
    case_id: caseId,
    type,
    actor_type: (actor.type === 'token' ? 'token' : actor.type === 'user' ? 'user' : 'system') as
      | 'token'
      | 'user'
      | 'system',
    actor_id: actor.id,
    data_json: JSON.stringify(data),
    created_at: now,
    event_at: now,
  }));
  for (let i = 0; i < rows.length; i += 500) {
    await trx
      .insertInto('case_events')
      .values(rows.slice(i, i + 500))
      .execute();
  }
}

export async function audit(
  trx: Kysely<DB>,
  workspaceId: string,
  actor: MergeActor,
  action: string,
  target: string | null,
  data: Record<string, unknown>,
  now: number,
) {
  await trx
    .insertInto('audit_log')
    .values({
      id: newId(),
      workspace_id: workspaceId,
      actor_type: actor.type,
      actor_id: actor.id,
      action,
      target,
      data_json: JSON.stringify(data),
      created_at: now,
    })
    .execute();
}

export async function mergeCustomers(
  db: Kysely<DB>,
  actor: Actor,
  survivorId: string,
  mergedId: string,
  reason: string,
  now: number,
) {
  return caseWriteTransaction(db, (trx) =>
    mergeInTrx(trx, actor.workspaceId, actor, survivorId, mergedId, reason, now),
  );
}

export async function unmergeCustomers(
  db: Kysely<DB>,
  actor: Actor,
  mergeId: string,
  reason: string,
  now: number,
) {
  return caseWriteTransaction(db, (trx) =>
    unmergeInTrx(trx, actor.workspaceId, actor, mergeId, reason, now),
  );
}
