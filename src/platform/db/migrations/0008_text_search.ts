import { type Kysely, sql } from 'kysely';
import type { MigrationContext } from '../migrate.js';

/**
 * Indexed text search for the inbox `q` filter: a case-insensitive substring of a case's subject,
 * its customer's name or any of its messages' text. A LIKE scan of a million cases and three
 * million messages took 7.5 s (SQLite) and 8 s (PostgreSQL) in the reads bench.
 *
 * SQLite: one FTS5 table with the `trigram` tokenizer (a quoted phrase is then a substring
 * match, in any script). It is contentless (the text is not stored twice) with
 * `contentless_delete=1` (SQLite ≥ 3.43) so rows can be removed. Its rowid comes from
 * `text_search_rows`, whose INTEGER PRIMARY KEY VACUUM never renumbers; the implicit rowids of
 * `messages`/`cases`/`customers` (text primary keys) it may renumber, so they are not used.
 * Triggers keep it in step with every writer (the pipeline's bulk inserts, replies, notifications,
 * merges, and any future erasure) without each of them having to remember it.
 *
 * PostgreSQL: `pg_trgm` GIN indexes serve ILIKE '%…%' directly. Where the extension cannot be
 * installed (not shipped, or no privilege), the migration leaves it out and the same ILIKE
 * query still answers, by scanning.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  if (ctx.dialect === 'sqlite') await sqliteFts(db);
  else await postgresTrigram(db);
}

/** Sources of searchable text: table, the kind recorded in `text_search_rows`, the column. */
const SOURCES = [
  { table: 'messages', kind: 'message', column: 'text' },
  { table: 'cases', kind: 'case', column: 'subject' },
  { table: 'customers', kind: 'customer', column: 'display_name' },
] as const;

async function sqliteFts(db: Kysely<unknown>) {
  await sql`CREATE TABLE text_search_rows (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    ref_id TEXT NOT NULL,
    UNIQUE (kind, ref_id)
  )`.execute(db);
  await sql`CREATE VIRTUAL TABLE text_search USING fts5(
    body, tokenize = 'trigram', content = '', contentless_delete = 1
  )`.execute(db);
  for (const { table, kind, column } of SOURCES) {
    const t = sql.table(table);
    const col = sql.ref(column);
    const k = sql.lit(kind);
    // Backfill what is already stored, then let the triggers keep it.
    await sql`INSERT INTO text_search_rows (kind, ref_id) SELECT ${k}, id FROM ${t}`.execute(db);
    await sql`INSERT INTO text_search (rowid, body)
      SELECT r.id, s.${col} FROM text_search_rows r JOIN ${t} s ON s.id = r.ref_id
      WHERE r.kind = ${k} AND s.${col} IS NOT NULL`.execute(db);
    const key = (row: 'NEW' | 'OLD') =>
      sql`(SELECT id FROM text_search_rows WHERE kind = ${k} AND ref_id = ${sql.raw(row)}.id)`;
    await sql`CREATE TRIGGER ${sql.raw(`text_search_${kind}_insert`)} AFTER INSERT ON ${t} BEGIN
      INSERT INTO text_search_rows (kind, ref_id) VALUES (${k}, NEW.id);
      INSERT INTO text_search (rowid, body) SELECT ${key('NEW')}, NEW.${col} WHERE NEW.${col} IS NOT NULL;
    END`.execute(db);
    // Ids never change; only the text can (an edit, a redaction, an erasure).
    await sql`CREATE TRIGGER ${sql.raw(`text_search_${kind}_update`)} AFTER UPDATE OF ${col} ON ${t} BEGIN
      DELETE FROM text_search WHERE rowid = ${key('OLD')};
      INSERT INTO text_search (rowid, body) SELECT ${key('NEW')}, NEW.${col} WHERE NEW.${col} IS NOT NULL;
    END`.execute(db);
    await sql`CREATE TRIGGER ${sql.raw(`text_search_${kind}_delete`)} AFTER DELETE ON ${t} BEGIN
      DELETE FROM text_search WHERE rowid = ${key('OLD')};
      DELETE FROM text_search_rows WHERE kind = ${k} AND ref_id = OLD.id;
    END`.execute(db);
  }
}

async function postgresTrigram(db: Kysely<unknown>) {
  const shipped = await sql`SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'`.execute(
    db,
  );
  if (shipped.rows.length === 0) return;
  // Migrations run in one transaction on PostgreSQL: a refused CREATE EXTENSION (no privilege)
  // must not abort it, so it gets a savepoint of its own.
  await sql`SAVEPOINT text_search_extension`.execute(db);
  try {
    await sql`CREATE EXTENSION IF NOT EXISTS pg_trgm`.execute(db);
    await sql`RELEASE SAVEPOINT text_search_extension`.execute(db);
  } catch {
    await sql`ROLLBACK TO SAVEPOINT text_search_extension`.execute(db);
    return;
  }
  for (const { table, column } of SOURCES) {
    await sql`CREATE INDEX ${sql.raw(`${table}_${column}_trgm_ix`)} ON ${sql.table(table)}
      USING gin (${sql.ref(column)} gin_trgm_ops)`.execute(db);
  }
}
