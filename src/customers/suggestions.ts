import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { AppError, notFound } from '../platform/errors.js';
import type { Actor } from '../platform/http/auth.js';
import { newId } from '../platform/ids.js';
import { mergeInTrx } from './merge.service.js';

/**
 * Probable matches are suggested to agents with their evidence and never merged silently:
 * - `identifier_in_message` (0.9): a phone number, email address or account number written in
 *   a message belongs to another customer's verified identity;
 * - `name_and_area` (0.6): the same full name and the same location on two customers.
 */
export interface SuggestionDraft {
  customerA: string;
  customerB: string;
  kind: 'identifier_in_message' | 'name_and_area';
  score: number;
  evidence: Record<string, unknown>;
}

/** Stores suggestions, one per pair and kind; a dismissed pair is never suggested again. */
export async function saveSuggestions(
  trx: Kysely<DB>,
  workspaceId: string,
  drafts: SuggestionDraft[],
  now: number,
) {
  const seen = new Set<string>();
  const rows = [];
  for (const d of drafts) {
    if (d.customerA === d.customerB) continue;
    const [a, b] =
      d.customerA < d.customerB ? [d.customerA, d.customerB] : [d.customerB, d.customerA];
    const k = `${a}|${b}|${d.kind}`;
    if (seen.has(k)) continue;
    seen.add(k);
    rows.push({
      id: newId(),
      workspace_id: workspaceId,
      customer_a: a,
      customer_b: b,
      kind: d.kind,
      score: d.score,
      evidence_json: JSON.stringify(d.evidence),
      status: 'open' as const,
      decided_by: null,
      decided_at: null,
      created_at: now,
    });
  }
  for (let i = 0; i < rows.length; i += 500) {
    await trx
      .insertInto('match_suggestions')
      .values(rows.slice(i, i + 500))
      .onConflict((oc) =>
        oc.columns(['workspace_id', 'customer_a', 'customer_b', 'kind']).doNothing(),
      )
      .execute();
  }
}

const normName = (s: string | null) =>
  (s ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9 ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * Looks for same-name-and-area customers of `customerId` (a full name of two words or more, so
 * "Ana" alone never matches) and stores what it finds; returns the open suggestions involving
 * the customer, with the other customer's name.
 */
export async function suggestionsFor(
  db: Kysely<DB>,
  workspaceId: string,
  customerId: string,
  now: number,
) {
  const c = await db
    .selectFrom('customers')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', customerId)
    .executeTakeFirst();
  if (!c) throw notFound('customer');
  const name = normName(c.display_name);
  const area = normName(c.location);
  if (name.includes(' ') && area && c.location) {
    const others = await db
      .selectFrom('customers')
      .select(['id', 'display_name', 'location'])
      .where('workspace_id', '=', workspaceId)
      .where('merged_into', 'is', null)
      .where('id', '!=', customerId)
      // Narrow by place in SQL; names are compared without case or accents below.
      .where((eb) => eb(eb.fn('lower', ['location']), '=', c.location!.toLowerCase()))
      .limit(500)
      .execute();
    const drafts: SuggestionDraft[] = others
      .filter((o) => normName(o.display_name) === name && normName(o.location) === area)
      .map((o) => ({
        customerA: customerId,
        customerB: o.id,
        kind: 'name_and_area',
        score: 0.6,
        evidence: { name: c.display_name, location: c.location },
      }));
    if (drafts.length > 0) await saveSuggestions(db, workspaceId, drafts, now);
  }
  const rows = await db
    .selectFrom('match_suggestions')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('status', '=', 'open')
    .where((eb) => eb.or([eb('customer_a', '=', customerId), eb('customer_b', '=', customerId)]))
    .orderBy('score', 'desc')
    .execute();
  const otherIds = rows.map((r) => (r.customer_a === customerId ? r.customer_b : r.customer_a));
  const names = otherIds.length
    ? await db
        .selectFrom('customers')
        .select(['id', 'display_name', 'merged_into'])
        .where('id', 'in', otherIds)
        .execute()
    : [];
  const byId = new Map(names.map((n) => [n.id, n]));
  return rows
    .filter((r) => {
      const other = byId.get(r.customer_a === customerId ? r.customer_b : r.customer_a);
      return other && other.merged_into === null;
    })
    .map((r) => {
      const otherId = r.customer_a === customerId ? r.customer_b : r.customer_a;
      return {
        id: r.id,
        kind: r.kind,
        score: r.score,
        otherCustomerId: otherId,
        otherCustomerName: byId.get(otherId)?.display_name ?? null,
        evidence: JSON.parse(r.evidence_json) as Record<string, unknown>,
        createdAt: new Date(Number(r.created_at)).toISOString(),
      };
    });
}

/** An agent decides on a suggestion: accept merges (B into A unless `survivorId` says), dismiss closes it. */
export async function decideSuggestion(
  db: Kysely<DB>,
  actor: Actor,
  id: string,
  decision: 'accept' | 'dismiss',
  now: number,
  opts: { survivorId?: string; reason?: string } = {},
) {
  return db.transaction().execute(async (trx) => {
    const s = await trx
      .selectFrom('match_suggestions')
      .selectAll()
      .where('workspace_id', '=', actor.workspaceId)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!s) throw notFound('suggestion');
    if (s.status !== 'open')
      throw new AppError('invalid_transition', `the suggestion is ${s.status}`);
    if (decision === 'dismiss') {
      await trx
        .updateTable('match_suggestions')
        .set({ status: 'dismissed', decided_by: actor.id, decided_at: now })
        .where('id', '=', id)
        .execute();
      return { status: 'dismissed' as const, mergeId: null };
    }
    const survivor = opts.survivorId ?? s.customer_a;
    if (survivor !== s.customer_a && survivor !== s.customer_b) {
      throw new AppError('bad_request', 'survivorId must be one of the two customers');
    }
    const other = survivor === s.customer_a ? s.customer_b : s.customer_a;
    const mergeId = await mergeInTrx(
      trx,
      actor.workspaceId,
      actor,
      survivor,
      other,
      opts.reason ?? `suggestion accepted (${s.kind})`,
      now,
    );
    return { status: 'accepted' as const, mergeId };
  });
}
