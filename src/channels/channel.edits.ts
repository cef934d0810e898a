import type { Kysely, Selectable } from 'kysely';
import { storableText } from '../ingest/inbound.nul.js';
import type { DB, MessageEditTable } from '../platform/db/schema.js';
import { newId } from '../platform/ids.js';
import { ERASED } from '../privacy/scrub.js';
import { type Classify, retriageEdited } from './channel.edits.triage.js';
import { fitText } from './channel.fit.js';
import { MARK_TTL_MS } from './channel.marks.js';

/**
 * A customer's edit of a message they sent: Messenger's `message_edit` (the same mid, new text)
 * or an edited post on X (a new post id whose `edit_history` names the earlier ones). The stored
 * message takes the new text and stays in its case; the versions it replaced are kept on the
 * message (`raw_json.edits`, shown to agents as the message's `edits`, erased with it), and on
 * X replies go to the latest version. Its triage is the new text's (`channel.edits.triage.ts`,
 * by `classify`, the pipeline's classifier). Like a receipt, an edit can overtake its message: it is
 * stored first and applied once the message is, or dropped after `MARK_TTL_MS`.
 */
export interface Edit {
  channel: string;
  /** One row per edit however often it is delivered (Messenger `mid#num_edit`, X the new id). */
  key: string;
  /** Provider ids the edited message may be stored under (its first version among them). */
  priorIds: string[];
  /** X: the edited version's own id, which replies then answer. */
  newExternalId?: string;
  text: string;
  /** Provider time of the edit, epoch ms. */
  at: number;
}

/** One earlier version of an edited message. */
export interface EditedVersion {
  text: string;
  externalId: string;
  /** When this version was replaced. */
  replacedAt: string;
}

interface EditState {
  edits: EditedVersion[];
  /** The latest version's provider id, when an edit gave it a new one (X). */
  latestExternalId?: string;
  lastEditAt?: number;
}

function stateOf(rawJson: string | null): EditState {
  if (!rawJson) return { edits: [] };
  try {
    const v = JSON.parse(rawJson) as Partial<EditState>;
    return { ...v, edits: Array.isArray(v.edits) ? v.edits : [] };
  } catch {
    return { edits: [] };
  }
}

/** The earlier versions of a message, oldest first, for agents (the message DTO's `edits`). */
export function editsOf(rawJson: string | null): EditedVersion[] {
  return stateOf(rawJson).edits;
}

/** The id replies should answer: the latest version of a message that was edited on X. */
export async function latestVersionId(
  db: Kysely<DB>,
  workspaceId: string,
  channel: string,
  externalId: string,
): Promise<string> {
  const row = await db
    .selectFrom('messages')
    .select('raw_json')
    .where('workspace_id', '=', workspaceId)
    .where('channel', '=', channel)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
  return stateOf(row?.raw_json ?? null).latestExternalId ?? externalId;
}

/**
 * Whether the message an edit changes is known: stored, or in the inbound log waiting to be. An
 * edit of a message we never got is taken as a new message instead (its text is all we have).
 */
export async function editTargetKnown(
  db: Kysely<DB>,
  workspaceId: string,
  channel: string,
  priorIds: string[],
): Promise<boolean> {
  const logged = await db
    .selectFrom('inbound_events')
    .select('seq')
    .where('workspace_id', '=', workspaceId)
    .where('channel', '=', channel)
    .where('external_id', 'in', priorIds)
    .limit(1)
    .executeTakeFirst();
  if (logged) return true;
  const stored = await db
    .selectFrom('messages')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('channel', '=', channel)
    .where('external_id', 'in', priorIds)
    .limit(1)
    .executeTakeFirst();
  return !!stored;
}

/** Stores edits durably (once per key), then applies those whose message is stored. */
export async function recordEdits(
  db: Kysely<DB>,
  workspaceId: string,
  edits: Edit[],
  now: number,
  classify: Classify,
): Promise<number> {
  if (edits.length === 0) return 0;
  const keys: string[] = [];
  for (const e of edits) {
    keys.push(e.key);
    await db
      .insertInto('message_edits')
      .values({
        id: newId(),
        workspace_id: workspaceId,
        channel: e.channel,
        edit_key: e.key,
        prior_ids: e.priorIds.join(' '),
        new_external_id: e.newExternalId ?? null,
        // Customer text, handled as a new message's is: storable and cut to the schema's size.
        text: fitText(storableText(e.text)),
        at: e.at,
        created_at: now,
        applied_at: null,
      })
      .onConflict((oc) => oc.columns(['workspace_id', 'channel', 'edit_key']).doNothing())
      .execute();
  }
  return applyEdits(db, workspaceId, now, classify, keys);
}

/**
 * Applies pending edits whose message is now stored, and drops those that waited longer than
 * `MARK_TTL_MS`. Edits are few; every pending one is tried, in pages, so none holds back another.
 */
export async function applyPendingEdits(
  db: Kysely<DB>,
  workspaceId: string,
  now: number,
  classify: Classify,
): Promise<number> {
  await db
    .deleteFrom('message_edits')
    .where('workspace_id', '=', workspaceId)
    .where('applied_at', 'is', null)
    .where('created_at', '<', now - MARK_TTL_MS)
    .execute();
  return applyEdits(db, workspaceId, now, classify);
}

async function applyEdits(
  db: Kysely<DB>,
  workspaceId: string,
  now: number,
  classify: Classify,
  keys?: string[],
): Promise<number> {
  let applied = 0;
  for (let after = ''; ; ) {
    let q = db
      .selectFrom('message_edits')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('applied_at', 'is', null)
      .where('id', '>', after);
    if (keys) q = q.where('edit_key', 'in', keys);
    const page = await q.orderBy('id').limit(500).execute();
    for (const e of page) {
      if (await db.transaction().execute((trx) => applyOne(trx, workspaceId, e, now, classify)))
        applied++;
    }
    if (page.length < 500) return applied;
    after = page[page.length - 1].id;
  }
}

/** One edit onto its message; false while the message is not stored yet. */
async function applyOne(
  trx: Kysely<DB>,
  workspaceId: string,
  e: Selectable<MessageEditTable>,
  now: number,
  classify: Classify,
): Promise<boolean> {
  const msg = await trx
    .selectFrom('messages')
    .select(['id', 'case_id', 'external_id', 'text', 'raw_json', 'sent_at', 'direction'])
    .where('workspace_id', '=', workspaceId)
    .where('channel', '=', e.channel)
    .where('external_id', 'in', e.prior_ids.split(' '))
    .executeTakeFirst();
  if (!msg) return false;
  const at = Number(e.at);
  const state = stateOf(msg.raw_json);
  // An older edit delivered after a newer one, an erased message or our own: nothing to change.
  const stale = state.lastEditAt !== undefined && at <= state.lastEditAt;
  if (!stale && msg.text !== ERASED && msg.direction === 'in' && e.text !== msg.text) {
    const next: EditState = {
      edits: [
        ...state.edits,
        {
          text: msg.text,
          externalId: state.latestExternalId ?? msg.external_id,
          replacedAt: new Date(at).toISOString(),
        },
      ],
      latestExternalId: e.new_external_id ?? state.latestExternalId,
      lastEditAt: at,
    };
    await trx
      .updateTable('messages')
      .set({ text: e.text, raw_json: JSON.stringify(next) })
      .where('id', '=', msg.id)
      .execute();
    // In the edit's transaction: text and triage never disagree, even for a moment.
    const edited = {
      id: msg.id,
      caseId: msg.case_id,
      channel: e.channel,
      externalId: msg.external_id,
    };
    await retriageEdited(trx, workspaceId, edited, e.text, { at, now }, classify);
    if (msg.case_id) {
      // The history says that it changed, not what it said: the text stays on the message,
      // where an erasure reaches it.
      await trx
        .insertInto('case_events')
        .values({
          id: newId(),
          workspace_id: workspaceId,
          case_id: msg.case_id,
          type: 'message_edited',
          actor_type: 'system',
          actor_id: 'channel',
          data_json: JSON.stringify({
            messageId: msg.id,
            externalId: e.new_external_id ?? msg.external_id,
            version: next.edits.length + 1,
          }),
          created_at: now,
          event_at: at,
        })
        .execute();
    }
  }
  await trx
    .updateTable('message_edits')
    .set({ applied_at: now, text: '' })
    .where('id', '=', e.id)
    .execute();
  return true;
}
