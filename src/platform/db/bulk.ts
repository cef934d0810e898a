import { CompiledQuery, type Insertable, type Kysely } from 'kysely';
import type { Capabilities } from './database.js';
import type { DB } from './schema.js';

/**
 * Multi-row statements for the hot paths (the pipeline's batch writes, the inbound log), written
 * as SQL text directly instead of through Kysely's builder, whose per-value parsing and
 * compiling cost more than the engine's work for a thousand-row insert. Engine differences are
 * read from the capability flags:
 * - `placeholders`: `?` (SQLite) or `$1…` (PostgreSQL);
 * - `statementCache`: the connection reuses compiled statements by SQL text (SQLite), so rows
 *   go in chunks of power-of-two sizes and a handful of texts per table cover every batch size;
 *   without it, chunks are as large as the parameter limit allows (fewest round trips);
 * - `jsonRows`: rows go as one JSON parameter per statement (PostgreSQL), which its planner takes
 *   in a fraction of the time of thousands of bound parameters.
 * Values must already be what the engines store (numbers, strings, null; booleans as 0/1).
 */

/** The placeholder for the `n`-th (1-based) parameter of a statement. */
export function param(caps: Capabilities, n: number): string {
  return caps.placeholders === '?' ? '?' : `$${n}`;
}

/** Row counts per statement for `total` rows of `perRow` parameters. */
export function chunkSizes(caps: Capabilities, total: number, perRow: number): number[] {
  const max = Math.max(1, Math.min(1024, Math.floor(caps.maxParams / perRow)));
  const out: number[] = [];
  let left = total;
  while (left > 0) {
    let n = Math.min(left, max);
    if (caps.statementCache) n = 2 ** Math.floor(Math.log2(n));
    out.push(n);
    left -= n;
  }
  return out;
}

/** Rows per JSON statement: bounds the size of one parameter, not a limit of the engine. */
const JSON_ROWS = 5000;

const quote = (id: string) => `"${id.replaceAll('"', '""')}"`;

export interface InsertOptions {
  /** `on conflict (columns) do nothing`, or `do update set` the listed columns from the new row. */
  onConflict?: { columns: string[]; update?: string[] };
  /** Columns to return from the inserted rows (rows skipped by a conflict return nothing). */
  returning?: string[];
}

/**
 * Inserts `rows` (all with the same columns: those of the first row whose value is not
 * `undefined`; `undefined` in a later row is stored as null) in as few statements as the
 * engine's limits and statement reuse allow. Returns the `returning` rows.
 */
export async function insertRows<T extends keyof DB & string>(
  db: Kysely<DB>,
  caps: Capabilities,
  table: T,
  rows: readonly Insertable<DB[T]>[],
  opts: InsertOptions = {},
): Promise<Record<string, unknown>[]> {
  if (rows.length === 0) return [];
  const first = rows[0] as Record<string, unknown>;
  const columns = Object.keys(first).filter((c) => first[c] !== undefined);
  const head = `insert into ${quote(table)} (${columns.map(quote).join(', ')}) values `;
  let tail = '';
  if (opts.onConflict) {
    const target = opts.onConflict.columns.map(quote).join(', ');
    const update = opts.onConflict.update ?? [];
    tail +=
      update.length === 0
        ? ` on conflict (${target}) do nothing`
        : ` on conflict (${target}) do update set ${update.map((c) => `${quote(c)} = excluded.${quote(c)}`).join(', ')}`;
  }
  if (opts.returning?.length) tail += ` returning ${opts.returning.map(quote).join(', ')}`;
  const out: Record<string, unknown>[] = [];
  if (caps.jsonRows) {
    const list = columns.map(quote).join(', ');
    const text = `insert into ${quote(table)} (${list}) select ${list} from json_populate_recordset(null::${quote(table)}, ${param(caps, 1)})${tail}`;
    for (let at = 0; at < rows.length; at += JSON_ROWS) {
      // The replacer keeps only the inserted columns; a key missing from a row reads as null.
      const json = wellFormed(JSON.stringify(rows.slice(at, at + JSON_ROWS), columns));
      const result = await db.executeQuery(CompiledQuery.raw(text, [json]));
      if (opts.returning?.length) out.push(...(result.rows as Record<string, unknown>[]));
    }
    return out;
  }
  let at = 0;
  for (const size of chunkSizes(caps, rows.length, columns.length)) {
    const params: unknown[] = new Array(size * columns.length);
    let p = 0;
    for (let r = 0; r < size; r++) {
      const row = rows[at + r] as Record<string, unknown>;
      for (let c = 0; c < columns.length; c++) {
        const v = row[columns[c]];
        params[p++] = v === undefined ? null : v;
      }
    }
    at += size;
    const text = statementText(
      `${caps.placeholders}\u0000${head}\u0000${tail}\u0000${size}`,
      () => {
        const tuples: string[] = new Array(size);
        let n = 0;
        for (let r = 0; r < size; r++) {
          const marks: string[] = new Array(columns.length);
          for (let c = 0; c < columns.length; c++) marks[c] = param(caps, ++n);
          tuples[r] = `(${marks.join(', ')})`;
        }
        return `${head}${tuples.join(', ')}${tail}`;
      },
    );
    const result = await db.executeQuery(CompiledQuery.raw(text, params));
    if (opts.returning?.length) out.push(...(result.rows as Record<string, unknown>[]));
  }
  return out;
}

/**
 * JSON.stringify writes a lone UTF-16 surrogate (text cut inside an emoji) as a `\udXXX` escape,
 * which PostgreSQL's JSON parser rejects; as a bound parameter the same string would have been
 * sent as UTF-8 with U+FFFD in its place. Do the same here. Paired surrogates are written as the
 * characters themselves, so every such escape is a lone one, unless its backslash is escaped.
 */
export function wellFormed(json: string): string {
  if (!/\\ud[89a-f]/i.test(json)) return json;
  return json.replace(/(?<!\\)((?:\\\\)*)\\ud[89a-f][0-9a-f]{2}/gi, '$1\\ufffd');
}

// The text of a thousand-row statement is tens of kilobytes; rebuilding it for every chunk costs
// more than binding the values, and a new string must be hashed again to find the SQLite
// statement compiled for it. The same few texts recur (one per table and chunk size), so they
// are kept, keyed by placeholder style, head, tail and row count.
const texts = new Map<string, string>();
const MAX_TEXTS = 256;

/** The SQL text built once for `key` (which must determine it) and kept for the next time. */
export function statementText(key: string, build: () => string): string {
  let text = texts.get(key);
  if (text === undefined) {
    text = build();
    if (texts.size >= MAX_TEXTS) texts.delete(texts.keys().next().value as string);
    texts.set(key, text);
  }
  return text;
}

/** Runs one SQL text with positional parameters (see `param`), returning its rows. */
export async function executeRaw(
  db: Kysely<DB>,
  text: string,
  params: readonly unknown[],
): Promise<Record<string, unknown>[]> {
  const result = await db.executeQuery(CompiledQuery.raw(text, [...params]));
  return result.rows as Record<string, unknown>[];
}
