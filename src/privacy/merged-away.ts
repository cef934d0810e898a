import type { Kysely } from 'kysely';
import type { MergeSnapshot } from '../customers/merge.service.js';
import type { DB } from '../platform/db/schema.js';
import { chunks } from './scrub.js';

/**
 * What a customer merged into another brought with it, wherever it is now. A merge moves the
 * merged customer's rows to the survivor (`merge.service.ts`), and its identities keep sending
 * there; the merge record's snapshot lists exactly what moved, which is what this follows.
 *
 * A merged-away customer's data-subject request (export, erasure) covers that part and no more:
 * the survivor's own rows may be another person's, merges are undone when wrong, and handing one
 * person another's messages is worse than a second request for the survivor.
 */
export interface MergedAwayPart {
  /** The customer it was merged into, and the chain above it (merged on later). */
  survivorId: string;
  /** The merge records from this customer up the chain, nearest first. */
  chain: { id: string; survivorId: string; snapshot: MergeSnapshot | null }[];
  identityIds: string[];
  /** Its cases: those it brought, and those its identities opened since (nobody else wrote in). */
  caseIds: string[];
  /** Its messages, the desk's replies to them, and every message of its cases but other people's. */
  messageIds: string[];
  promiseIds: string[];
  surveyIds: string[];
  alertIds: string[];
  /** Its problem links and notices (moved since merges moved them: older merges list none). */
  linkIds: string[];
  notificationIds: string[];
}

function parse(json: string): MergeSnapshot | null {
  try {
    const s = JSON.parse(json) as Partial<MergeSnapshot>;
    return s.moved ? (s as MergeSnapshot) : null;
  } catch {
    return null;
  }
}

/** Null when the customer is not merged into another (its rows are all still its own). */
export async function mergedAwayPart(
  db: Kysely<DB>,
  workspaceId: string,
  customerId: string,
): Promise<MergedAwayPart | null> {
  const chain: MergedAwayPart['chain'] = [];
  let at = customerId;
  for (let i = 0; i < 100; i++) {
    const m = await db
      .selectFrom('customer_merges')
      .select(['id', 'survivor_id', 'snapshot_json'])
      .where('workspace_id', '=', workspaceId)
      .where('merged_id', '=', at)
      .where('undone_at', 'is', null)
      .orderBy('id', 'desc')
      .executeTakeFirst();
    if (!m) break;
    chain.push({ id: m.id, survivorId: m.survivor_id, snapshot: parse(m.snapshot_json) });
    at = m.survivor_id;
  }
  if (chain.length === 0) return null;
  const own = chain[0].snapshot;
  const moved = (k: keyof MergeSnapshot['moved']) => own?.moved[k] ?? [];
  // Everyone up the chain: the moved rows and later messages are under one of them now.
  const holders = [customerId, ...chain.map((c) => c.survivorId)];
  const later: { id: string; case_id: string | null; external_id: string }[] = [];
  for (const a of own?.movedAddresses ?? []) {
    later.push(
      ...(await db
        .selectFrom('messages')
        .select(['id', 'case_id', 'external_id'])
        .where('workspace_id', '=', workspaceId)
        .where('direction', '=', 'in')
        .where('channel', '=', a.channel)
        .where('author_address', '=', a.address)
        .where('customer_id', 'in', holders)
        .execute()),
    );
  }
  const messageIds = new Set([...moved('messages'), ...later.map((m) => m.id)]);
  const caseIds = new Set(moved('cases'));
  // A case its identities opened while merged is theirs when no one else wrote in it.
  const laterCases = [...new Set(later.map((m) => m.case_id).filter((c) => c !== null))];
  for (const part of chunks(laterCases)) {
    const writers = await db
      .selectFrom('messages')
      .select(['case_id', 'id'])
      .where('case_id', 'in', part)
      .where('direction', '=', 'in')
      .execute();
    for (const caseId of part)
      if (writers.every((w) => w.case_id !== caseId || messageIds.has(w.id))) caseIds.add(caseId);
  }
  // The desk's replies: every one in its cases, and those answering its messages elsewhere.
  const answered = [...later.map((m) => m.external_id)];
  for (const part of chunks(moved('messages'))) {
    const rows = await db.selectFrom('messages').select('external_id').where('id', 'in', part);
    answered.push(...(await rows.execute()).map((r) => r.external_id));
  }
  for (const part of chunks([...caseIds])) {
    const rows = await db
      .selectFrom('messages')
      .select('id')
      .where('case_id', 'in', part)
      .where('direction', '=', 'out')
      .execute();
    for (const r of rows) messageIds.add(r.id);
  }
  for (const part of chunks(answered)) {
    const rows = await db
      .selectFrom('messages')
      .select('id')
      .where('workspace_id', '=', workspaceId)
      .where('direction', '=', 'out')
      .where('in_reply_to', 'in', part)
      .where('customer_id', 'in', holders)
      .execute();
    for (const r of rows) messageIds.add(r.id);
  }
  return {
    survivorId: chain[0].survivorId,
    chain,
    identityIds: moved('identities'),
    caseIds: [...caseIds],
    messageIds: [...messageIds],
    promiseIds: moved('promises'),
    surveyIds: moved('csat_surveys'),
    alertIds: moved('reputation_alerts'),
    linkIds: moved('problem_links'),
    notificationIds: moved('problem_notifications'),
  };
}

type Fields = MergeSnapshot['mergedBefore'];
const attrs = (json: string | undefined): Record<string, unknown> => {
  try {
    return JSON.parse(json ?? '{}') as Record<string, unknown>;
  } catch {
    return {};
  }
};
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * `from` without what the erased customer brought: its name and location where they were taken
 * over (the survivor had none before, `had`), and its attributes the survivor did not have.
 */
function without(from: Fields, erased: Fields, had: Fields | null): Fields {
  const out = { ...from };
  if (erased.display_name !== null && from.display_name === erased.display_name)
    if (!had || had.display_name === null) out.display_name = null;
  if (erased.location !== null && from.location === erased.location)
    if (!had || had.location === null) out.location = null;
  const a = attrs(from.attributes_json);
  const before = had ? attrs(had.attributes_json) : {};
  for (const [k, v] of Object.entries(attrs(erased.attributes_json)))
    if (!(k in before) && same(a[k], v)) delete a[k];
  out.attributes_json = JSON.stringify(a);
  return out;
}

/**
 * After a merged-away customer is erased: the customers up its chain lose the name, location and
 * attributes they took over from it, and the later merges' snapshots (which name its identities
 * and repeat those fields) forget them, so undoing those merges stays possible and brings none of
 * it back. Its own merge record is blanked by the caller.
 */
export async function forgetInChain(trx: Kysely<DB>, part: MergedAwayPart, now: number) {
  const erased = part.chain[0].snapshot?.mergedBefore;
  if (!erased) return;
  const gone = part.chain[0].snapshot?.movedAddresses ?? [];
  const goneIds = new Set(part.identityIds);
  for (const [i, link] of part.chain.entries()) {
    const survivor = await trx
      .selectFrom('customers')
      .select(['display_name', 'location', 'reach', 'attributes_json', 'updated_at'])
      .where('id', '=', link.survivorId)
      .executeTakeFirst();
    if (survivor) {
      const had = link.snapshot?.survivorBefore ?? null;
      const cur: Fields = {
        ...survivor,
        attributes_json: survivor.attributes_json ?? '{}',
        reach: Number(survivor.reach),
        updated_at: now,
      };
      const next = without(cur, erased, had);
      await trx
        .updateTable('customers')
        .set({
          display_name: next.display_name,
          location: next.location,
          attributes_json: next.attributes_json,
          updated_at: now,
        })
        .where('id', '=', link.survivorId)
        .execute();
    }
    if (i === 0 || !link.snapshot) continue;
    const s = link.snapshot;
    const snapshot: MergeSnapshot = {
      ...s,
      mergedBefore: without(s.mergedBefore, erased, null),
      moved: { ...s.moved, identities: s.moved.identities.filter((id) => !goneIds.has(id)) },
      movedAddresses: s.movedAddresses.filter(
        (a) => !gone.some((g) => g.channel === a.channel && g.address === a.address),
      ),
    };
    await trx
      .updateTable('customer_merges')
      .set({ snapshot_json: JSON.stringify(snapshot) })
      .where('id', '=', link.id)
      .execute();
  }
}
