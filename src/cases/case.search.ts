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
 *   at once) and queries too short for a trigram index.
 */

/** Trigram indexes cannot look up fewer characters (code points) than this. */
export const INDEXED_MIN_CHARS = 3;

/**
 * Above this many hits, sorting them costs more than a newest-first scan needs to fill a page
 * (a word in ~1 case in 400 fills a 50-case page within 20,000 cases).
 */
export const MAX_INDEXED_HITS = 20_000;

export type SearchPlan = 'indexed' | 'scan';

/** The WHERE condition on `cases` (joined with `customers`) for the text `q`, and how it works. */
export async function textFilter(
  db: Kysely<DB>,
  caps: Capabilities,
  workspaceId: string,
  q: string,
  maxIndexedHits = MAX_INDEXED_HITS,
): Promise<{ plan: SearchPlan; where: Expression<SqlBool> }> {
  if ([...q].length >= INDEXED_MIN_CHARS) {
    const fts = caps.textSearch === 'fts5';
    // Counting the matching texts (not yet their cases) decides the plan at the indexes' cost
    // alone; a text is about one case, so the count is close to the number of hits.
    const texts = fts ? ftsTexts(q) : ilikeTexts(q);
    const counted = await sql<{ n: number }>`SELECT count(*) AS n FROM (${texts} LIMIT ${
      maxIndexedHits + 1
    }) t`.execute(db);
    if (Number(counted.rows[0]?.n ?? 0) <= maxIndexedHits) {
      const hits = fts ? ftsHits(workspaceId, q) : ilikeHits(workspaceId, q);
      return { plan: 'indexed', where: sql<SqlBool>`${sql.ref('cases.id')} IN (${hits})` };
    }
  }
  return { plan: 'scan', where: scanCondition(caps, q) };
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

/** Every indexed text holding `q`, of any kind and workspace: SQLite. */
function ftsTexts(q: string): RawBuilder<unknown> {
  return sql`SELECT rowid FROM text_search WHERE text_search MATCH ${ftsPhrase(q)}`;
}

/** The same on PostgreSQL. */
function ilikeTexts(q: string): RawBuilder<unknown> {
  const pattern = likePattern(q);
  return sql`SELECT 1 FROM messages WHERE text ILIKE ${pattern}
    UNION ALL SELECT 1 FROM cases WHERE subject ILIKE ${pattern}
    UNION ALL SELECT 1 FROM customers WHERE display_name ILIKE ${pattern}`;
}

/** Case ids (with repeats) whose subject, customer name or message text holds `q`: SQLite. */
function ftsHits(workspaceId: string, q: string): RawBuilder<unknown> {
  const phrase = ftsPhrase(q);
  const found = (kind: string) =>
    sql`text_search s JOIN text_search_rows r ON r.id = s.rowid AND r.kind = ${sql.lit(kind)}`;
  const match = sql`s.text_search MATCH ${phrase}`;
  return sql`SELECT m.case_id FROM ${found('message')} JOIN messages m ON m.id = r.ref_id
      WHERE ${match} AND m.workspace_id = ${workspaceId} AND m.case_id IS NOT NULL
    UNION ALL SELECT c.id FROM ${found('case')} JOIN cases c ON c.id = r.ref_id
      WHERE ${match} AND c.workspace_id = ${workspaceId}
    UNION ALL SELECT c.id FROM ${found('customer')} JOIN cases c ON c.customer_id = r.ref_id
      WHERE ${match} AND c.workspace_id = ${workspaceId}`;
}

/** The same on PostgreSQL: ILIKE, which the `pg_trgm` GIN indexes answer. */
function ilikeHits(workspaceId: string, q: string): RawBuilder<unknown> {
  const pattern = likePattern(q);
  return sql`SELECT m.case_id FROM messages m
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
