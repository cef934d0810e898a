/** Storage of agents' triage corrections and of the installation's model versions. */
import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import type { Correction } from './corrections.js';
import { TOPICS, type Topic } from './types.js';

export interface StoredCorrection {
  id: string;
  messageId: string;
  topic: Topic | null;
  complaint: boolean | null;
  previous: { topic: Topic | null; complaint: boolean | null; model: string | null };
  /** Who made it: a person (userId) or an integration's API token (tokenId). */
  userId: string | null;
  tokenId: string | null;
  createdAt: number;
}

type Row = DB['triage_corrections'];

function toStored(r: Row): StoredCorrection {
  return {
    id: r.id,
    messageId: r.message_id,
    topic: (TOPICS as readonly string[]).includes(r.topic ?? '') ? (r.topic as Topic) : null,
    complaint: r.complaint === null ? null : r.complaint === 1,
    previous: JSON.parse(r.previous_json),
    userId: r.user_id,
    tokenId: r.token_id,
    createdAt: Number(r.created_at),
  };
}

export async function insertCorrection(
  db: Kysely<DB>,
  workspaceId: string,
  c: Omit<StoredCorrection, 'id'>,
): Promise<StoredCorrection> {
  const row: Row = {
    id: newId(),
    workspace_id: workspaceId,
    message_id: c.messageId,
    topic: c.topic,
    complaint: c.complaint === null ? null : c.complaint ? 1 : 0,
    previous_json: JSON.stringify(c.previous),
    user_id: c.userId,
    token_id: c.tokenId,
    created_at: c.createdAt,
  };
  await db.insertInto('triage_corrections').values(row).execute();
  return toStored(row);
}

/** Newest first; `before` is the id of the last item of the previous page. */
export async function listCorrections(
  db: Kysely<DB>,
  workspaceId: string,
  opts: { limit: number; before?: string; messageId?: string },
): Promise<StoredCorrection[]> {
  let q = db
    .selectFrom('triage_corrections')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('id', 'desc')
    .limit(opts.limit);
  if (opts.before) q = q.where('id', '<', opts.before);
  if (opts.messageId) q = q.where('message_id', '=', opts.messageId);
  return (await q.execute()).map(toStored);
}

/**
 * The corrections to learn from, oldest first, with the text of their message. A message erased
 * since (deleted) takes its corrections with it. Only the newest `limit` are used, which bounds
 * the rebuild time; an agent's later correction of the same message replaces the earlier ones.
 */
export async function correctionsForTraining(
  db: Kysely<DB>,
  workspaceId: string,
  limit: number,
): Promise<{ corrections: Correction[]; lastId: string | null; total: number }> {
  const rows = await db
    .selectFrom('triage_corrections as c')
    .innerJoin('messages as m', (j) =>
      j.onRef('m.id', '=', 'c.message_id').onRef('m.workspace_id', '=', 'c.workspace_id'),
    )
    .select(['c.id', 'c.message_id', 'c.topic', 'c.complaint', 'm.text'])
    .where('c.workspace_id', '=', workspaceId)
    .where('m.deleted_at', 'is', null)
    .orderBy('c.id', 'desc')
    .limit(limit)
    .execute();
  rows.reverse();
  // Later corrections of a message win, field by field.
  const byMessage = new Map<string, Correction>();
  for (const r of rows) {
    const prev = byMessage.get(r.message_id) ?? { text: r.text };
    if (r.topic !== null && (TOPICS as readonly string[]).includes(r.topic)) {
      prev.topic = r.topic as Topic;
    }
    if (r.complaint !== null) prev.complaint = r.complaint === 1;
    // Praise is never a complaint (the route's rule): a correction to praise stored with no flag
    // (before the route said so) says "not a complaint", and a later complaint flag on a message
    // once corrected to praise leaves its topic to the model, as the route moved it off praise.
    else if (r.topic === 'praise') prev.complaint = false;
    if (prev.complaint === true && prev.topic === 'praise') delete prev.topic;
    byMessage.delete(r.message_id);
    byMessage.set(r.message_id, prev);
  }
  return {
    corrections: [...byMessage.values()],
    lastId: rows.length ? rows[rows.length - 1].id : null,
    total: rows.length,
  };
}

/**
 * An installation model's name, from what it learned: the number of corrected messages and the
 * newest correction, so two different sets never share a name (a second correction of one
 * message, or a set that lost an erased customer's, is another model). No correction: the base.
 */
export function modelVersionName(base: string, messages: number, lastId: string | null): string {
  return lastId === null ? base : `${base}+${messages}c.${lastId.slice(-6)}`;
}

export interface ModelVersionRow {
  id: string;
  version: string;
  baseVersion: string;
  corrections: number;
  lastCorrectionId: string | null;
  createdAt: number;
}

export async function insertModelVersion(
  db: Kysely<DB>,
  workspaceId: string,
  v: Omit<ModelVersionRow, 'id'>,
): Promise<ModelVersionRow> {
  const id = newId();
  await db
    .insertInto('triage_models')
    .values({
      id,
      workspace_id: workspaceId,
      version: v.version,
      base_version: v.baseVersion,
      corrections: v.corrections,
      last_correction_id: v.lastCorrectionId,
      created_at: v.createdAt,
    })
    .execute();
  return { id, ...v };
}

export async function listModelVersions(
  db: Kysely<DB>,
  workspaceId: string,
  limit: number,
): Promise<ModelVersionRow[]> {
  const rows = await db
    .selectFrom('triage_models')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({
    id: r.id,
    version: r.version,
    baseVersion: r.base_version,
    corrections: Number(r.corrections),
    lastCorrectionId: r.last_correction_id,
    createdAt: Number(r.created_at),
  }));
}
