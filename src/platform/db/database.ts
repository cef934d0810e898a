import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { startCheckpointer } from './checkpointer.js';
import type { DB } from './schema.js';

export type Dialect = 'sqlite' | 'postgres';

/**
 * Every difference between the two engines that code may depend on lives here, as a flag,
 * so feature code asks "can I?" instead of "am I on PostgreSQL?".
 */
export interface Capabilities {
  /** `SELECT … FOR UPDATE SKIP LOCKED` for claiming work across nodes. */
  skipLocked: boolean;
  /** Cross-process change notification (`LISTEN/NOTIFY`). */
  listenNotify: boolean;
  /** Case-insensitive LIKE operator (`ilike` on PostgreSQL; SQLite's `like` already is for ASCII). */
  likeOperator: 'like' | 'ilike';
  /**
   * How the inbox text filter finds candidates (migration 0008): an FTS5 trigram table kept by
   * triggers (SQLite), or ILIKE that `pg_trgm` GIN indexes serve (PostgreSQL; a scan where the
   * extension is missing).
   */
  textSearch: 'fts5' | 'ilike';
  /** Bound parameters per statement; bulk inserts are chunked below it. */
  maxParams: number;
  /** Several writers may run at once (PostgreSQL) or there is exactly one (SQLite). */
  concurrentWriters: boolean;
  /** Positional parameter syntax in raw SQL text (`src/platform/db/bulk.ts`). */
  placeholders: '?' | '$n';
  /** Compiled statements are reused by SQL text, so repeating a text is cheaper than a new one. */
  statementCache: boolean;
  /**
   * A whole set of rows can travel as one JSON parameter, expanded by the engine into the
   * table's own row type (`json_populate_recordset` on PostgreSQL): no per-value parameters to
   * bind and plan, and the column types come from the table.
   */
  jsonRows: boolean;
}

export interface Database {
  db: Kysely<DB>;
  dialect: Dialect;
  caps: Capabilities;
  /** For engines with LISTEN/NOTIFY: where a dedicated listening connection connects. */
  connectionString?: string;
  /** Human description for logs and benchmarks, password removed. */
  describe: string;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** SQLite `synchronous` pragma. FULL is durable across power loss. */
  sqliteSynchronous?: 'FULL' | 'NORMAL';
  poolSize?: number;
  /** PostgreSQL: told when the server ends a pooled connection (the pool then drops it). */
  onConnectionError?: (err: Error) => void;
}

export function openDatabase(url: string, opts: OpenOptions = {}): Database {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length), opts);
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url, opts);
  throw new Error(`Unsupported database URL (expected sqlite:<path> or postgres://…)`);
}

/** How long a statement waits for another process's write lock before "database is locked". */
const BUSY_TIMEOUT_MS = 5_000;

/** The main connection's automatic checkpoint threshold, in pages (~40 MiB). */
const AUTO_CHECKPOINT_PAGES = 10_000;

function openSqlite(path: string, opts: OpenOptions): Database {
  if (path !== ':memory:') {
    // The file holds customers' personal data: readable by its owner only, like the secret key
    // beside it. SQLite gives the -wal and -shm files the database file's mode, so creating the
    // file first (SQLite would make it 0644 under the usual umask) covers all three.
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    closeSync(openSync(path, 'a', 0o600));
  }
  const sqlite = new SQLite(path);
  // busy_timeout covers a second process (a CLI command, a replay) touching the same file; set
  // first, so even switching a new file to WAL waits for another process instead of failing
  // with "database is locked". WAL lets readers run while the pipeline writes.
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${opts.sqliteSynchronous ?? 'FULL'}`);
  // A 64 MiB page cache keeps the hot indexes (messages by external id, cases by customer) in
  // memory; the default 2 MiB makes every pipeline batch re-read them from disk.
  sqlite.pragma('cache_size = -65536');
  // Checkpoint the WAL every ~40 MiB instead of every 4 MiB: pages that batches rewrite again and
  // again (case rows, index leaves) are copied back once per checkpoint, not once per batch.
  sqlite.pragma(`wal_autocheckpoint = ${AUTO_CHECKPOINT_PAGES}`);
  // Once the WAL grows, a thread of its own checkpoints it (checkpointer.ts); this connection's
  // threshold then only bounds the WAL should that thread fall behind.
  const checkpointer =
    path === ':memory:'
      ? null
      : startCheckpointer({
          path,
          synchronous: opts.sqliteSynchronous ?? 'FULL',
          initialPages: AUTO_CHECKPOINT_PAGES,
          setAutoCheckpoint: (pages) => {
            // Busy iterating a chunked read (see the optimizer below), or closed: not now.
            try {
              sqlite.pragma(`wal_autocheckpoint = ${pages}`);
              return true;
            } catch {
              return false;
            }
          },
        });
  sqlite.pragma('temp_store = MEMORY');
  sqlite.pragma('foreign_keys = ON');
  // Planner statistics: without them SQLite guesses which index an inbox filter should use.
  // `optimize` analyses only tables whose statistics are missing or stale, and the limit keeps
  // each analysis to a sample, so this is cheap at start-up and every few hours after
  // (the SQLite documentation's advice for long-lived connections).
  sqlite.pragma('analysis_limit = 1000');
  // Analysing writes: beside a server busy writing, a command that only reads (`problems list`)
  // waited for the lock here and failed with "database is locked" after the busy timeout. When
  // another process writes, the statistics wait for the next round.
  sqlite.pragma('busy_timeout = 0');
  try {
    sqlite.pragma('optimize = 0x10002');
  } catch (err) {
    if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
  } finally {
    sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  }
  // Runs outside Kysely's connection lock: while a statement's rows are being iterated (a
  // chunked read, chunks.ts) the connection refuses writes and pragmas ("busy"), and that round
  // is skipped. Any other error is thrown as before.
  const optimizer = setInterval(() => {
    try {
      sqlite.pragma('optimize');
    } catch (err) {
      if (!(err instanceof TypeError && /busy/.test(err.message))) throw err;
    }
  }, 6 * 3_600_000);
  optimizer.unref();
  const db = new Kysely<DB>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
  });
  return {
    db,
    dialect: 'sqlite',
    caps: {
      skipLocked: false,
      listenNotify: false,
      likeOperator: 'like',
      textSearch: 'fts5',
      maxParams: 32_000,
      concurrentWriters: false,
      placeholders: '?',
      statementCache: true,
      jsonRows: false,
    },
    describe: `sqlite:${path} (SQLite ${String(sqlite.prepare('select sqlite_version() as v').pluck().get())})`,
    close: async () => {
      clearInterval(optimizer);
      await checkpointer?.stop();
      await db.destroy();
    },
  };
}

/**
 * Kysely prepares every query anew; preparing is a large part of a pipeline batch's cost on
 * SQLite (the hot statements are long multi-row inserts). Statements are stateless between runs
 * and there is one connection, so the same SQL text can reuse its compiled statement. SQLite
 * re-prepares a cached statement by itself after a schema change.
 */
function withStatementCache(sqlite: SQLite.Database, max = 256) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string): SQLite.Statement {
      let stmt = cache.get(text);
      if (stmt) {
        // Most recently used last: the first key is the one to evict.
        cache.delete(text);
        cache.set(text, stmt);
        return stmt;
      }
      stmt = sqlite.prepare(text);
      cache.set(text, stmt);
      if (cache.size > max) cache.delete(cache.keys().next().value as string);
      return stmt;
    },
  };
}

// bigint (int8) columns hold epoch milliseconds and counters, all far below 2^53:
// parse them as numbers instead of pg's default strings.
const pgTypes = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') => {
    if (oid === 20) return (v: string) => Number(v);
    // biome-ignore lint/suspicious/noExplicitAny: pg's overloads do not accept a union format.
    return (pg.types.getTypeParser as any)(oid, format);
  },
};

function openPostgres(url: string, opts: OpenOptions): Database {
  const pool = new pg.Pool({
    connectionString: url,
    max: opts.poolSize ?? 10,
    types: pgTypes,
  });
  // An idle client's error (e.g. the server restarting) must not crash the process;
  // the next query reconnects.
  const onError = (err: Error) => opts.onConnectionError?.(err);
  pool.on('error', onError);
  // Nor a checked-out client's: when the server ends a connection inside a transaction (the
  // pipeline's stall limit, an administrator, a restart) the client emits 'error', which without
  // a listener is an uncaught exception; the statement waiting on it fails instead, the
  // transaction rolls back and the pool drops the client.
  pool.on('connect', (client) => {
    client.on('error', onError);
  });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    caps: {
      skipLocked: true,
      listenNotify: true,
      likeOperator: 'ilike',
      textSearch: 'ilike',
      maxParams: 60_000,
      concurrentWriters: true,
      placeholders: '$n',
      statementCache: false,
      jsonRows: true,
    },
    connectionString: url,
    describe: url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@'),
    close: () => db.destroy(),
  };
}
