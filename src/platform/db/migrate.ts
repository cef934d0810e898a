import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import type { Database, Dialect } from './database.js';
import * as m0001 from './migrations/0001_initial.js';
import * as m0002 from './migrations/0002_channels.js';
import * as m0003 from './migrations/0003_care.js';
import * as m0004 from './migrations/0004_triage.js';
import * as m0005 from './migrations/0005_problems.js';
import * as m0006 from './migrations/0006_inbox_indexes.js';
import * as m0007 from './migrations/0007_still_broken.js';
import * as m0008 from './migrations/0008_text_search.js';
import * as m0009 from './migrations/0009_outbox_kind.js';
import * as m0010 from './migrations/0010_node_leases.js';
import * as m0011 from './migrations/0011_detector_backlog.js';
import * as m0012 from './migrations/0012_fix_event_time.js';
import * as m0013 from './migrations/0013_process_signal_index.js';
import * as m0014 from './migrations/0014_correction_token.js';
import * as m0015 from './migrations/0015_inbox_moved.js';
import * as m0016 from './migrations/0016_api_token_expiry.js';
import * as m0017 from './migrations/0017_audit_append_only.js';
import * as m0018 from './migrations/0018_erasure.js';
import * as m0019 from './migrations/0019_hide_survey_links.js';
import * as m0020 from './migrations/0020_event_time_hold.js';
import * as m0021 from './migrations/0021_message_edits.js';
import * as m0022 from './migrations/0022_inbound_history.js';
import * as m0023 from './migrations/0023_reply_index.js';
import * as m0024 from './migrations/0024_drop_case_problem_id.js';
import * as m0025 from './migrations/0025_csat_message.js';
import * as m0026 from './migrations/0026_silent_updates.js';
import * as m0027 from './migrations/0027_case_created_order.js';
import * as m0028 from './migrations/0028_team_leads.js';

/** What a migration may need to know about the engine; kept to column types. */
export interface MigrationContext {
  dialect: Dialect;
  autoIncrementType: 'integer' | 'bigserial';
}

type MigrationModule = { up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> };

/** One ordered migration set for both engines. Add new files here, never edit applied ones. */
const MIGRATIONS: Record<string, MigrationModule> = {
  '0001_initial': m0001,
  '0002_channels': m0002,
  '0003_care': m0003,
  '0004_triage': m0004,
  '0005_problems': m0005,
  '0006_inbox_indexes': m0006,
  '0007_still_broken': m0007,
  '0008_text_search': m0008,
  '0009_outbox_kind': m0009,
  '0010_node_leases': m0010,
  '0011_detector_backlog': m0011,
  '0012_fix_event_time': m0012,
  '0013_process_signal_index': m0013,
  '0014_correction_token': m0014,
  '0015_inbox_moved': m0015,
  '0016_api_token_expiry': m0016,
  '0017_audit_append_only': m0017,
  '0018_erasure': m0018,
  '0019_hide_survey_links': m0019,
  '0020_event_time_hold': m0020,
  '0021_message_edits': m0021,
  '0022_inbound_history': m0022,
  '0023_reply_index': m0023,
  '0024_drop_case_problem_id': m0024,
  '0025_csat_message': m0025,
  '0026_silent_updates': m0026,
  '0027_case_created_order': m0027,
  '0028_team_leads': m0028,
};

class InCodeProvider implements MigrationProvider {
  constructor(private readonly ctx: MigrationContext) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    const out: Record<string, Migration> = {};
    for (const [name, mod] of Object.entries(MIGRATIONS)) {
      out[name] = { up: (db) => mod.up(db, this.ctx) };
    }
    return out;
  }
}

export interface MigrateResult {
  applied: string[];
}

/** Applies pending migrations; throws with the failing migration's name. Safe to run twice. */
export async function migrateToLatest(database: Database): Promise<MigrateResult> {
  const ctx: MigrationContext = {
    dialect: database.dialect,
    autoIncrementType: database.dialect === 'sqlite' ? 'integer' : 'bigserial',
  };
  const migrator = new Migrator({
    db: database.db as unknown as Kysely<unknown>,
    provider: new InCodeProvider(ctx),
  });
  // Nothing to apply (every start but the first after an upgrade): no write lock taken, so a
  // command beside a server busy writing does not wait for it (SQLite).
  if (database.dialect === 'sqlite' && (await isMigrated(database))) return { applied: [] };
  const { error, results } = await exclusively(database, () => migrator.migrateToLatest());
  const failed = results?.find((r) => r.status === 'Error');
  if (error) {
    const where = failed ? ` in migration ${failed.migrationName}` : '';
    throw new Error(`Migration failed${where}: ${(error as Error).message ?? String(error)}`);
  }
  return { applied: (results ?? []).map((r) => r.migrationName) };
}

/**
 * On SQLite, runs the migrations in one write transaction taken up front (BEGIN IMMEDIATE):
 * Kysely's migration lock is a no-op there (it assumes one connection), so two processes
 * starting on a new file at once (a server and a replay, two replays) both found nothing
 * applied and the second failed on "table workspaces already exists". Now the second waits
 * (busy_timeout) and finds everything applied. PostgreSQL has Kysely's advisory lock.
 */
async function exclusively<T extends { error?: unknown }>(
  database: Database,
  run: () => Promise<T>,
): Promise<T> {
  if (database.dialect !== 'sqlite') return run();
  // busy_timeout waits 5 s per try; a slow first migration (a busy machine, a big backfill)
  // may take longer, so the waiting process tries again for a while.
  for (let deadline = Date.now() + 120_000; ; ) {
    try {
      await sql`BEGIN IMMEDIATE`.execute(database.db);
      break;
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw err;
    }
  }
  let out: T;
  try {
    out = await run();
  } catch (err) {
    await sql`ROLLBACK`.execute(database.db);
    throw err;
  }
  await sql.raw(out.error ? 'ROLLBACK' : 'COMMIT').execute(database.db);
  return out;
}

/** Applies pending migrations up to and including `name`: for tests of a migration's backfill. */
export async function migrateTo(database: Database, name: string): Promise<void> {
  const migrator = new Migrator({
    db: database.db as unknown as Kysely<unknown>,
    provider: new InCodeProvider({
      dialect: database.dialect,
      autoIncrementType: database.dialect === 'sqlite' ? 'integer' : 'bigserial',
    }),
  });
  const { error } = await migrator.migrateTo(name);
  if (error) throw error;
}

/** True when every known migration has been applied (used by /healthz). */
export async function isMigrated(database: Database): Promise<boolean> {
  const migrator = new Migrator({
    db: database.db as unknown as Kysely<unknown>,
    provider: new InCodeProvider({ dialect: database.dialect, autoIncrementType: 'integer' }),
  });
  const list = await migrator.getMigrations();
  return list.every((m) => m.executedAt !== undefined);
}
