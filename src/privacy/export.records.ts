import type { Kysely } from 'kysely';
import type { MergeSnapshot } from '../customers/merge.service.js';
import type { DB } from '../platform/db/schema.js';
import { chunks } from './scrub.js';

/**
 * What the desk recorded around a data subject besides their messages: the history of their cases,
 * their merge records, reputation alerts on their posts, match suggestions about them and the
 * audit entries about their record. Erasure treats all but the audit log as personal
 * (`erase.ts`, `scrub.ts`), so the export (art. 15) shows them too; `export.coverage.test.ts`
 * keeps the two in step.
 */
async function inChunks<T>(ids: readonly string[], q: (part: string[]) => Promise<T[]>, n = 300) {
  const out: T[] = [];
  for (const part of chunks(ids, n)) out.push(...(await q(part)));
  return out;
}

const parse = (json: string): Partial<MergeSnapshot> => {
  try {
    return JSON.parse(json) as Partial<MergeSnapshot>;
  } catch {
    return {};
  }
};

/**
 * Their merges (as survivor or as merged customer), with who merged, why and when, and whether it
 * was undone. Of the snapshot, only the side that is theirs: the other customer's previous name
 * and attributes may be another person's (a merge undone as wrong, or a request of its own).
 */
export async function mergeRecords(db: Kysely<DB>, workspaceId: string, ids: readonly string[]) {
  const rows = await inChunks(ids, (p) =>
    db
      .selectFrom('customer_merges')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where((eb) => eb.or([eb('survivor_id', 'in', p), eb('merged_id', 'in', p)]))
      .execute(),
  );
  const unique = [...new Map(rows.map((r) => [r.id, r])).values()];
  unique.sort((a, b) => (a.id < b.id ? -1 : 1));
  const mine = new Set(ids);
  return unique.map(({ snapshot_json, ...m }) => {
    const s = parse(snapshot_json);
    const snapshot: Partial<MergeSnapshot> = {};
    if (mine.has(m.survivor_id) && s.survivorBefore) snapshot.survivorBefore = s.survivorBefore;
    if (mine.has(m.merged_id)) {
      if (s.mergedBefore) snapshot.mergedBefore = s.mergedBefore;
      if (s.moved) snapshot.moved = s.moved;
      if (s.movedAddresses) snapshot.movedAddresses = s.movedAddresses;
    }
    return { ...m, snapshot_json: JSON.stringify(snapshot) };
  });
}

/**
 * Every history entry of their cases (status changes and their reasons, escalations, promise
 * outcomes, suggested replies, merges), and the entries their merges wrote on other cases (the
 * reason a person gave for merging or unmerging them), oldest first.
 */
export async function caseHistory(
  db: Kysely<DB>,
  workspaceId: string,
  caseIds: readonly string[],
  mergeIds: readonly string[],
) {
  const own = await inChunks(caseIds, (p) =>
    db
      .selectFrom('case_events')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('case_id', 'in', p)
      .execute(),
  );
  // As `scrubMergeHistory` finds them: a merge id is a UUID, so a substring match is exact.
  const merges = await inChunks(
    mergeIds,
    (p) =>
      db
        .selectFrom('case_events')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('type', 'in', ['customer_merged', 'customer_unmerged'])
        .where((eb) => eb.or(p.map((id) => eb('data_json', 'like', `%${id}%`))))
        .execute(),
    50,
  );
  const all = [...new Map([...own, ...merges].map((e) => [e.id, e])).values()];
  return all.sort((a, b) => Number(a.event_at) - Number(b.event_at) || (a.id < b.id ? -1 : 1));
}

/** Reputation alerts raised by their posts (excerpt, followers), and those they brought along. */
export async function reputationAlerts(
  db: Kysely<DB>,
  workspaceId: string,
  ids: readonly string[],
  movedIds: readonly string[],
) {
  const rows = [
    ...(await inChunks(ids, (p) =>
      db
        .selectFrom('reputation_alerts')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('customer_id', 'in', p)
        .execute(),
    )),
    ...(await inChunks(movedIds, (p) =>
      db.selectFrom('reputation_alerts').selectAll().where('id', 'in', p).execute(),
    )),
  ];
  return [...new Map(rows.map((r) => [r.id, r])).values()];
}

/** Suggestions that they and another customer are the same person, with the evidence. */
export async function matchSuggestions(
  db: Kysely<DB>,
  workspaceId: string,
  ids: readonly string[],
) {
  const rows = await inChunks(ids, (p) =>
    db
      .selectFrom('match_suggestions')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where((eb) => eb.or([eb('customer_a', 'in', p), eb('customer_b', 'in', p)]))
      .execute(),
  );
  return [...new Map(rows.map((r) => [r.id, r])).values()];
}

/**
 * The audit entries about their customer records (identities added, merges, unmerges, an
 * erasure): ids and field names, never texts. The log has no index on the target; an export is
 * rare, and the workspace index narrows the scan.
 */
export async function auditEntries(db: Kysely<DB>, workspaceId: string, ids: readonly string[]) {
  return inChunks(ids, (p) =>
    db
      .selectFrom('audit_log')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('action', 'like', 'customer.%')
      .where('target', 'in', p)
      .orderBy('created_at')
      .execute(),
  );
}
