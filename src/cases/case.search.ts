import { type Expression, type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { Capabilities } from '../platform/db/database.js';
import type { DB } from '../platform/db/schema.js';

/**
 * The inbox text filter: a case matches when the query is a case-insensitive substring of its
 * subject, its customer's name or one of its messages' text (deleted messages included: their
 * text stays in the case). Two ways to answer it, chosen per query:
 *
 * - **Indexed** — the trigram indexes of migration 0008 list the matching cases, and the inbox
 *   query keeps those. Cost grows with the number of hits, so it is used when they are few.
 * - **Scan** — the inbox walks cases newest first and tests each with LIKE, stopping at the page
 *   size. Cost grows with how rare the text is, so it suits very common text (which fills a page
 *   at once), bounded to the newest `SCAN_WINDOW` cases with the indexes behind it, and queries
 *   too short for a trigram index (unbounded: nothing else can answer them).
 */

/** Trigram indexes cannot look up fewer characters (code points) than this. */
export const INDEXED_MIN_CHARS = 3;

/**
 * Above this many hits (matching texts), a newest-first scan is the cheaper way to fill a page:
 * text in ~1 case in 200 fills 50 within the newest 10,000 cases, while listing 5,000 hits costs
 * ~20 ms already (reads bench, 1 million cases). The scan is slow only when such common text is
 * all in old cases.
 */
export const MAX_INDEXED_HITS = 5_000;

/** Newest cases a scan tests before the indexes answer instead (bounds the scan's cost). */
export const SCAN_WINDOW = 10_000;

export type SearchPlan = 'indexed' | 'scan';

/** The limits above, changeable so tests can reach every plan with a few cases. */
export interface SearchTuning {
  maxIndexedHits?: number;
  scanWindow?: number;
}

export interface TextFilter {
  plan: SearchPlan;
  /** The WHERE condition on `cases` (joined with `customers`). */
  where: Expression<SqlBool>;
  /** When given and `where` yields less than a page, the page is what this condition yields. */
  fallback?: Expression<SqlBool>;
}

/**
 * How to filter the inbox by the text `q`, for a page of the list in the order of `order`
 * (last activity unless given) whose cases' value of it is at or before `before`.
 */
export async function textFilter(
  db: Kysely<DB>,
  caps: Capabilities,
  workspaceId: string,
  q: string,
  opts: SearchTuning & { before?: number; order?: 'last_message_at' | 'created_at' } = {},
): Promise<TextFilter> {
  const { maxIndexedHits = MAX_INDEXED_HITS, scanWindow = SCAN_WINDOW } = opts;
  const order = opts.order ?? 'last_message_at';
  // NUL cannot be in PostgreSQL text and ends an FTS5 query string early, so no stored text
  // holds it on PostgreSQL and it would break the query: it is dropped from the search.
  q = q.replaceAll('\u0000', '');
  if (q.length === 0) return { plan: 'indexed', where: sql<SqlBool>`1 = 1` };
  const scan = scanCondition(caps, q);
  if ([...q].length < INDEXED_MIN_CHARS) return { plan: 'scan', where: scan };
  const hits = caps.textSearch === 'fts5' ? ftsHits(workspaceId, q) : ilikeHits(workspaceId, q);
  const ids = await hitCaseIds(db, caps, q, hits, maxIndexedHits);
  if (ids) {
    if (ids.length === 0) return { plan: 'indexed', where: sql<SqlBool>`1 = 0` };
    return { plan: 'indexed', where: sql<SqlBool>`${sql.ref('cases.id')} IN (${sql.join(ids)})` };
  }
  // Common text: scan only the newest cases (in the list's order), which nearly always hold a
  // page of it. Every case since the window's edge is tested, so a full page from them is exactly
  // the page; a short one (the text is common only in older cases) is answered from all the hits.
  const edge = await db
    .selectFrom('cases')
    .select(`${order} as edge`)
    .where('workspace_id', '=', workspaceId)
    .$if(opts.before !== undefined, (w) => w.where(order, '<=', opts.before as number))
    .orderBy(order, 'desc')
    .offset(scanWindow - 1)
    .limit(1)
    .executeTakeFirst();
  if (!edge) return { plan: 'scan', where: scan };
  return {
    plan: 'scan',
    where: sql<SqlBool>`(${scan} AND ${sql.ref(`cases.${order}`)} >= ${edge.edge})`,
    fallback: sql<SqlBool>`${sql.ref('cases.id')} IN (${hits})`,
  };
}

/** `%q%` with LIKE's own characters escaped (backslash is the escape on both engines). */
function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * An FTS5 phrase: inside double quotes every character is literal except the quote itself,
 * written twice, so operators (AND, NEAR, *, ^, column filters) in the text mean nothing. The
 * trigram tokenizer makes a phrase a case-insensitive substring match.
 */
export function ftsPhrase(q: string): string {
  return `"${q.replaceAll('"', '""')}"`;
}

/**
 * The ids of the cases among `hits`, or undefined when there are more than `cap` hits. One pass
 * over the indexes, stopped after the cap; the inbox query then looks cases up by primary key.
 * FTS5 first counts its matches without touching any table (2.5 ms for 5,000), since turning
 * 5,000 hits into case ids costs ~50 ms of random lookups; on PostgreSQL the index pass is the
 * cost, so it is made once.
 */
async function hitCaseIds(
  db: Kysely<DB>,
  caps: Capabilities,
  q: string,
  hits: RawBuilder<unknown>,
  cap: number,
): Promise<string[] | undefined> {
  if (caps.textSearch === 'fts5' && (await ftsCount(db, q, cap + 1)) > cap) return undefined;
  const found = await sql<{ case_id: string }>`SELECT case_id FROM (${hits}) h LIMIT ${
    cap + 1
  }`.execute(db);
  if (found.rows.length > cap) return undefined;
  return [...new Set(found.rows.map((r) => r.case_id))];
}

/** How many texts (of any kind and workspace) hold `q`, counting no further than `upTo`. */
async function ftsCount(db: Kysely<DB>, q: string, upTo: number): Promise<number> {
  const r = await sql<{ n: number }>`SELECT count(*) AS n FROM (SELECT 1 FROM text_search
    WHERE text_search MATCH ${ftsPhrase(q)} LIMIT ${upTo}) t`.execute(db);
  return Number(r.rows[0]?.n ?? 0);
}

/** Case ids (with repeats) whose subject, customer name or message text holds `q`: SQLite. */
function ftsHits(workspaceId: string, q: string): RawBuilder<unknown> {
  const phrase = ftsPhrase(q);
  const found = (kind: string) =>
    sql`text_search s JOIN text_search_rows r ON r.id = s.rowid AND r.kind = ${sql.lit(kind)}`;
  const match = sql`s.text_search MATCH ${phrase}`;
  return sql`SELECT m.case_id AS case_id FROM ${found('message')} JOIN messages m ON m.id = r.ref_id
      WHERE ${match} AND m.workspace_id = ${workspaceId} AND m.case_id IS NOT NULL
    UNION ALL SELECT c.id FROM ${found('case')} JOIN cases c ON c.id = r.ref_id
      WHERE ${match} AND c.workspace_id = ${workspaceId}
    UNION ALL SELECT c.id FROM ${found('customer')} JOIN cases c ON c.customer_id = r.ref_id
      WHERE ${match} AND c.workspace_id = ${workspaceId}`;
}

/** The same on PostgreSQL: ILIKE, which the `pg_trgm` GIN indexes answer. */
function ilikeHits(workspaceId: string, q: string): RawBuilder<unknown> {
  const pattern = likePattern(q);
  return sql`SELECT m.case_id AS case_id FROM messages m
      WHERE m.text ILIKE ${pattern} AND m.workspace_id = ${workspaceId} AND m.case_id IS NOT NULL
    UNION ALL SELECT c.id FROM cases c
      WHERE c.subject ILIKE ${pattern} AND c.workspace_id = ${workspaceId}
    UNION ALL SELECT c.id FROM customers cu JOIN cases c ON c.customer_id = cu.id
      WHERE cu.display_name ILIKE ${pattern} AND c.workspace_id = ${workspaceId}`;
}

/**
 * The per-case test of the scan plan. SQLite's LIKE folds ASCII letters only, so on SQLite a
 * scan matches "École" for "école" only when the case agrees; the indexed plan folds all scripts.
 */
function scanCondition(caps: Capabilities, q: string): Expression<SqlBool> {
  const pattern = likePattern(q);
  // SQLite has no default LIKE escape character, so name it explicitly on both engines.
  const like = (col: string) =>
    sql`${sql.ref(col)} ${sql.raw(caps.likeOperator)} ${pattern} escape '\\'`;
  return sql<SqlBool>`(${like('cases.subject')} OR ${like('customers.display_name')}
    OR EXISTS (SELECT 1 FROM messages WHERE messages.case_id = ${sql.ref('cases.id')}
      AND ${like('messages.text')}))`;
}
