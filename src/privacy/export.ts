import type { Kysely } from 'kysely';
import { hideSurveyLinks } from '../csat/survey-link.js';
import type { DB } from '../platform/db/schema.js';
import { customerFamily } from './erase.js';
import { pendingEditsOf } from './erase-edits.js';
import {
  auditEntries,
  caseHistory,
  matchSuggestions,
  mergeRecords,
  reputationAlerts,
} from './export.records.js';
import { mergedAwayPart } from './merged-away.js';
import { chunks } from './scrub.js';

const iso = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? null : new Date(Number(ms)).toISOString();

/** Rows with their `*_at` times as ISO text and `*_json` columns parsed, for a person to read. */
function readable<T extends Record<string, unknown>>(row: T): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (k === 'workspace_id') continue;
    if (k.endsWith('_json') && typeof v === 'string') {
      try {
        out[k.slice(0, -5)] = JSON.parse(v);
      } catch {
        out[k.slice(0, -5)] = v;
      }
    } else if (k.endsWith('_at') && (typeof v === 'number' || typeof v === 'string') && v !== '')
      out[k] = iso(Number(v));
    else out[k] = v;
  }
  return out;
}

async function inChunks<T>(
  ids: readonly string[],
  q: (part: string[]) => Promise<T[]>,
  size = 300,
) {
  const out: T[] = [];
  for (const part of chunks(ids, size)) out.push(...(await q(part)));
  return out;
}

/**
 * Where each table erasure writes to (`erase.ts`, `scrub.ts`, `erase-edits.ts`, `merged-away.ts`)
 * shows in the export: whatever erasure treats as personal, the data subject may read.
 * `export.coverage.test.ts` checks erasure's tables against this list and the document's keys.
 */
export const EXPORTED_TABLES = {
  customers: 'customers',
  identities: 'identities',
  cases: 'cases',
  messages: 'messages',
  notes: 'notes',
  csat_surveys: 'csat',
  promises: 'promises',
  problem_notifications: 'notifications',
  outbox: 'outbox',
  case_events: 'history',
  customer_merges: 'merges',
  reputation_alerts: 'reputationAlerts',
  match_suggestions: 'matchSuggestions',
  message_edits: 'pendingEdits',
} as const;

/** Tables erasure writes to that the export leaves out, and why. */
export const NOT_EXPORTED: Record<string, string> = {
  inbound_events: 'the raw payload of each message, which the messages already show',
  presence: 'which agent has the case open now: about the agent, not the customer',
  triage_corrections:
    "an agent's topic or complaint label of a message: the message itself is exported, with its triage",
};

/**
 * Everything the desk holds about a data subject (GDPR art. 15), as one JSON document: the
 * customer (and customers merged into them), identities, cases and their history, messages from
 * and to them, edits of theirs still waiting, notes on their cases, survey answers, promises,
 * problem links, notifications and outbox deliveries to them, merge records, reputation alerts,
 * match suggestions and the audit entries about their record. Raw inbound payloads are left out:
 * they repeat the messages.
 */
export async function exportCustomer(db: Kysely<DB>, workspaceId: string, customerId: string) {
  const ids = await customerFamily(db, workspaceId, customerId);
  // Merged into another customer: what they brought is under the survivor now (`merged-away.ts`).
  const part = await mergedAwayPart(db, workspaceId, customerId);
  const byId = <T extends { id: string }>(
    rows: T[],
    moved: readonly string[] | undefined,
    q: (p: string[]) => Promise<T[]>,
  ) =>
    inChunks(
      (moved ?? []).filter((id) => !rows.some((r) => r.id === id)),
      q,
    ).then((more) => [...rows, ...more]);
  const customers = await inChunks(ids, (p) =>
    db.selectFrom('customers').selectAll().where('id', 'in', p).execute(),
  );
  const cases = await byId(
    await inChunks(ids, (p) =>
      db.selectFrom('cases').selectAll().where('customer_id', 'in', p).execute(),
    ),
    part?.caseIds,
    (p) => db.selectFrom('cases').selectAll().where('id', 'in', p).execute(),
  );
  cases.sort((a, b) => Number(a.opened_at) - Number(b.opened_at));
  const caseIds = cases.map((c) => c.id);
  const identities = await byId(
    await inChunks(ids, (p) =>
      db.selectFrom('identities').selectAll().where('customer_id', 'in', p).execute(),
    ),
    part?.identityIds,
    (p) => db.selectFrom('identities').selectAll().where('id', 'in', p).execute(),
  );
  const messages = await byId(
    await inChunks(ids, (p) =>
      db.selectFrom('messages').selectAll().where('customer_id', 'in', p).execute(),
    ),
    part?.messageIds,
    (p) => db.selectFrom('messages').selectAll().where('id', 'in', p).execute(),
  );
  messages.sort((a, b) => Number(a.sent_at) - Number(b.sent_at));
  const notes = await inChunks(caseIds, (p) =>
    db.selectFrom('notes').selectAll().where('case_id', 'in', p).orderBy('created_at').execute(),
  );
  const surveyColumns = [
    'id',
    'case_id',
    'channel',
    'sent_at',
    'rating',
    'comment',
    'answered_at',
  ] as const;
  const surveys = await byId(
    await inChunks(ids, (p) =>
      db.selectFrom('csat_surveys').select(surveyColumns).where('customer_id', 'in', p).execute(),
    ),
    part?.surveyIds,
    (p) => db.selectFrom('csat_surveys').select(surveyColumns).where('id', 'in', p).execute(),
  );
  const promises = await byId(
    await inChunks(ids, (p) =>
      db.selectFrom('promises').selectAll().where('customer_id', 'in', p).execute(),
    ),
    part?.promiseIds,
    (p) => db.selectFrom('promises').selectAll().where('id', 'in', p).execute(),
  );
  const linkColumns = [
    'problem_links.id',
    'problem_links.problem_id',
    'problems.number as problem_number',
    'problems.title as problem_title',
    'problem_links.case_id',
    'problem_links.source',
    'problem_links.linked_at',
    'problem_links.unlinked_at',
  ] as const;
  const links = () =>
    db
      .selectFrom('problem_links')
      .innerJoin('problems', 'problems.id', 'problem_links.problem_id')
      .select(linkColumns);
  const problemLinks = await byId(
    await inChunks(ids, (p) => links().where('problem_links.customer_id', 'in', p).execute()),
    part?.linkIds,
    (p) => links().where('problem_links.id', 'in', p).execute(),
  );
  const notificationColumns = [
    'id',
    'problem_id',
    'case_id',
    'text',
    'status',
    'channel',
    'address',
    'created_at',
    'sent_at',
  ] as const;
  const notices = () => db.selectFrom('problem_notifications').select(notificationColumns);
  const notifications = await byId(
    await inChunks(ids, (p) => notices().where('customer_id', 'in', p).execute()),
    part?.notificationIds,
    (p) => notices().where('id', 'in', p).execute(),
  );
  // Outbox payloads name their case (replies, notices); a case id is a UUID, so a substring
  // match finds exactly its rows.
  const outbox = await inChunks(
    caseIds,
    (p) =>
      db
        .selectFrom('outbox')
        .select(['id', 'kind', 'payload_json', 'status', 'created_at', 'delivered_at'])
        .where('workspace_id', '=', workspaceId)
        .where((eb) => eb.or(p.map((id) => eb('payload_json', 'like', `%${id}%`))))
        .execute(),
    50,
  );
  const merges = await mergeRecords(db, workspaceId, ids);
  const history = await caseHistory(
    db,
    workspaceId,
    caseIds,
    merges.map((m) => m.id),
  );
  const alerts = await reputationAlerts(db, workspaceId, ids, part?.alertIds ?? []);
  const suggestions = await matchSuggestions(db, workspaceId, ids);
  const pendingEdits = await pendingEditsOf(db, workspaceId, ids);
  const audit = await auditEntries(db, workspaceId, ids);
  return {
    exportedAt: new Date().toISOString(),
    customerId,
    // The survivor's own data is not in this document: it may be another person's.
    mergedInto: part?.survivorId ?? null,
    customers: customers.map(readable),
    identities: identities.map(readable),
    cases: cases.map(readable),
    messages: messages.map(readable),
    notes: notes.map(readable),
    csat: surveys.map(readable),
    promises: promises.map(readable),
    problemLinks: problemLinks.map(readable),
    notifications: notifications.map(readable),
    // The survey sent on resolve is in its outbox row as the customer got it; the export passes
    // through the hands of the desk's staff, and the link's token alone answers the survey.
    outbox: outbox.map((o) => readable({ ...o, payload_json: hideSurveyLinks(o.payload_json) })),
    history: history.map((e) => readable({ ...e, data_json: hideSurveyLinks(e.data_json) })),
    merges: merges.map(readable),
    reputationAlerts: alerts.map(readable),
    matchSuggestions: suggestions.map(readable),
    pendingEdits: pendingEdits.map(readable),
    audit: audit.map(readable),
  };
}
