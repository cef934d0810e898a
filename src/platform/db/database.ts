import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
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
  /** Bound parameters per statement; bulk inserts are chunked below it. */
  maxParams: number;
  /** Several writers may run at once (PostgreSQL) or there is exactly one (SQLite). */
  concurrentWriters: boolean;
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
}

export function openDatabase(url: string, opts: OpenOptions = {}): Database {
  if (url.startsWith('sqlite:')) return openSqlite(url.slice('sqlite:'.length), opts);
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url, opts);
  throw new Error(`Unsupported database URL (expected sqlite:<path> or postgres://…)`);
}

function openSqlite(path: string, opts: OpenOptions): Database {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new SQLite(path);
  // WAL lets readers run while the pipeline writes; busy_timeout covers a second process
  // (e.g. a CLI command) touching the same file.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${opts.sqliteSynchronous ?? 'FULL'}`);
  sqlite.pragma('busy_timeout = 5000');
  // A 64 MiB page cache keeps the hot indexes (messages by external id, cases by customer) in
  // memory; the default 2 MiB makes every pipeline batch re-read them from disk.
  sqlite.pragma('cache_size = -65536');
  // Checkpoint the WAL every ~40 MiB instead of every 4 MiB: pages that batches rewrite again and
  // again (case rows, index leaves) are copied back once per checkpoint, not once per batch.
  sqlite.pragma('wal_autocheckpoint = 10000');
  sqlite.pragma('temp_store = MEMORY');
  sqlite.pragma('foreign_keys = ON');
  const db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    db,
    dialect: 'sqlite',
    caps: {
      skipLocked: false,
      listenNotify: false,
      likeOperator: 'like',
      maxParams: 32_000,
      concurrentWriters: false,
    },
    describe: `sqlite:${path} (SQLite ${String(sqlite.prepare('select sqlite_version() as v').pluck().get())})`,
    close: () => db.destroy(),
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
  pool.on('error', () => {});
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    caps: {
      skipLocked: true,
      listenNotify: true,
      likeOperator: 'ilike',
      maxParams: 60_000,
      concurrentWriters: true,
    },
    connectionString: url,
    describe: url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1***@'),
    close: () => db.destroy(),
  };
}
