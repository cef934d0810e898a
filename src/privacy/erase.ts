import type { Kysely } from 'kysely';
import { type AuditActor, audit } from '../platform/audit/audit.js';
import type { DB } from '../platform/db/schema.js';
import { notFound } from '../platform/errors.js';
import { dropPendingEdits } from './erase-edits.js';
import { maskMentions, mentionsOf } from './erase-mentions.js';
import { leaveProblems, maskProblemTexts } from './erase-problems.js';
import { forgetInChain, mergedAwayPart } from './merged-away.js';
import {
  chunks,
  ERASED,
  ERASED_NOTIFICATION,
  ERASED_PROMISE,
  erasedIfSet,
  scrubCases,
  scrubMergeHistory,
  scrubMessages,
} from './scrub.js';

/**
 * The customer and every customer merged into them (the same person, by a recorded merge):
 * erasure covers all of them.
 */
export async function customerFamily(
  db: Kysely<DB>,
  workspaceId: string,
  customerId: string,
): Promise<string[]> {
  const root = await db
    .selectFrom('customers')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', customerId)
    .executeTakeFirst();
  if (!root) throw notFound('customer');
  const ids = [root.id];
  for (let i = 0; i < ids.length && ids.length < 1000; i++) {
    const merged = await db
      .selectFrom('customers')
      .select('id')
      .where('merged_into', '=', ids[i])
      .execute();
    for (const m of merged) if (!ids.includes(m.id)) ids.push(m.id);
  }
  return ids;
}

export interface ErasureResult {
  customerIds: string[];
  cases: number;
  messages: number;
  identities: number;
  outbox: number;
  /**
   * The customer this one was merged into, when it was: what this one brought there is erased,
   * the survivor's own data is not (a separate request, if the merge was right).
   */
  mergedInto: string | null;
}

/**
 * Erases a data subject (GDPR art. 17) in one transaction: their name, location and attributes;
 * their identities (addresses, handles, names, locations: deleted, so a new message from the same
 * address makes a new customer); every case of theirs (`scrubCases`); their messages in other
 * cases; survey comments, promise texts, notification texts and alert excerpts addressed to them;
 * match suggestions about them; the identity snapshots of their merges (which then cannot be
 * undone). Ids, times, topic, area, priority, ratings and counts stay (see README, "Privacy").
 * Audited as `customer.erased`, with counts only.
 */
export async function eraseCustomer(
  db: Kysely<DB>,
  workspaceId: string,
  customerId: string,
  actor: AuditActor,
  now: number,
): Promise<ErasureResult> {
  const ids = await customerFamily(db, workspaceId, customerId);
  return db.transaction().execute(async (trx) => {
    // Every case of theirs, those already erased too (by retention, or an earlier run): a re-run
    // scrubs what was written since and ends deliveries still pending (`scrubCases` is
    // idempotent and keeps the first `erased_at`), instead of answering "0 cases" and leaving them.
    const caseIds: string[] = [];
    for (const part of chunks(ids)) {
      const rows = await trx
        .selectFrom('cases')
        .select('id')
        .where('customer_id', 'in', part)
        .execute();
      caseIds.push(...rows.map((r) => r.id));
    }
    // Merged into another customer: their rows are the survivor's now (`merged-away.ts`).
    const part = await mergedAwayPart(trx, workspaceId, customerId);
    for (const chunk of chunks(part?.caseIds ?? [])) {
      const rows = await trx.selectFrom('cases').select('id').where('id', 'in', chunk).execute();
      caseIds.push(...rows.map((r) => r.id).filter((id) => !caseIds.includes(id)));
    }
    const scrubbed = await scrubCases(trx, workspaceId, caseIds, now, { messages: false });
    // Their messages, in their cases and in other people's (public conversations), and the
    // desk's replies to them (outbound messages carry the customer they answer). Other people's
    // posts in a conversation they started are theirs to keep (without the person's handle and
    // name, below).
    const elsewhere = await scrubMessages(trx, workspaceId, {
      customerIds: ids,
      messageIds: part?.messageIds,
    });
    // Agents' triage corrections of their messages: labels of a text that is gone. Learned
    // from, the model learned the placeholder "[erased]" (the installation model is rebuilt by
    // whoever erased: the route, the command, the retention job's next refresh).
    for (const part of chunks(ids))
      await trx
        .deleteFrom('triage_corrections')
        .where('workspace_id', '=', workspaceId)
        .where('message_id', 'in', (eb) =>
          eb.selectFrom('messages').select('id').where('customer_id', 'in', part),
        )
        .execute();
    // Edits that overtook their message hold the customer's new text; found through their
    // identities, so before those go.
    await dropPendingEdits(trx, workspaceId, ids);
    // Other people's posts in their cases that address them (`@handle thanks Zelda`) keep the
    // post but not the handle or name: it made the erased case theirs again, and findable.
    const mentions = await mentionsOf(trx, ids, part?.identityIds ?? []);
    await maskMentions(trx, workspaceId, caseIds, ids, mentions);
    await maskProblemTexts(trx, ids, caseIds, mentions);
    let identities = 0;
    if (part) identities += await eraseMovedRows(trx, part);
    for (const part of chunks(ids)) {
      await trx
        .updateTable('customers')
        .set({
          display_name: ERASED,
          location: null,
          reach: 0,
          attributes_json: '{}',
          erased_at: now,
          updated_at: now,
        })
        .where('id', 'in', part)
        .execute();
      const gone = await trx.deleteFrom('identities').where('customer_id', 'in', part).execute();
      identities += gone.reduce((n, r) => n + Number(r.numDeletedRows), 0);
      await trx
        .updateTable('csat_surveys')
        .set({ comment: null })
        .where('customer_id', 'in', part)
        .execute();
      await trx
        .updateTable('promises')
        .set(ERASED_PROMISE)
        .where('customer_id', 'in', part)
        .execute();
      await trx
        .updateTable('problem_notifications')
        .set(ERASED_NOTIFICATION)
        .where('customer_id', 'in', part)
        .execute();
      await trx
        .updateTable('reputation_alerts')
        .set({ excerpt: ERASED })
        .where('customer_id', 'in', part)
        .execute();
      await trx
        .deleteFrom('match_suggestions')
        .where((eb) => eb.or([eb('customer_a', 'in', part), eb('customer_b', 'in', part)]))
        .execute();
      // Why a person merged or unmerged them may name them.
      const merges = await trx
        .selectFrom('customer_merges')
        .select('id')
        .where((eb) => eb.or([eb('survivor_id', 'in', part), eb('merged_id', 'in', part)]))
        .execute();
      await scrubMergeHistory(
        trx,
        merges.map((m) => m.id),
      );
      await trx
        .updateTable('customer_merges')
        .set({ snapshot_json: '{}', reason: ERASED, undo_reason: erasedIfSet('undo_reason') })
        .where((eb) => eb.or([eb('survivor_id', 'in', part), eb('merged_id', 'in', part)]))
        .execute();
      // A merge's snapshot lists the identities it moved; without them it cannot be undone,
      // so it is marked undone for good (unmerge then refuses instead of failing).
      await trx
        .updateTable('customer_merges')
        .set({ undone_at: now, undone_by: null, undo_reason: 'erased' })
        .where((eb) => eb.or([eb('survivor_id', 'in', part), eb('merged_id', 'in', part)]))
        .where('undone_at', 'is', null)
        .execute();
    }
    // After the notification texts were scrubbed: the cancelled ones say why.
    await leaveProblems(trx, workspaceId, ids, caseIds, now);
    if (part) await forgetInChain(trx, part, now);
    const result = {
      customerIds: ids,
      cases: scrubbed.cases,
      messages: scrubbed.messages + elsewhere,
      identities,
      outbox: scrubbed.outbox,
      mergedInto: part?.survivorId ?? null,
    };
    await audit(trx, {
      workspaceId,
      actor,
      action: 'customer.erased',
      target: customerId,
      data: { customers: ids.length, cases: result.cases, messages: result.messages, identities },
      at: now,
    });
    return result;
  });
}

/** The rows a merged-away customer brought to its survivor (by id, wherever they are now). */
async function eraseMovedRows(
  trx: Kysely<DB>,
  part: NonNullable<Awaited<ReturnType<typeof mergedAwayPart>>>,
): Promise<number> {
  let identities = 0;
  for (const ids of chunks(part.identityIds)) {
    const gone = await trx.deleteFrom('identities').where('id', 'in', ids).execute();
    identities += gone.reduce((n, r) => n + Number(r.numDeletedRows), 0);
  }
  for (const ids of chunks(part.promiseIds))
    await trx.updateTable('promises').set(ERASED_PROMISE).where('id', 'in', ids).execute();
  for (const ids of chunks(part.surveyIds))
    await trx.updateTable('csat_surveys').set({ comment: null }).where('id', 'in', ids).execute();
  for (const ids of chunks(part.alertIds))
    await trx
      .updateTable('reputation_alerts')
      .set({ excerpt: ERASED })
      .where('id', 'in', ids)
      .execute();
  return identities;
}
