import { type Kysely, sql } from 'kysely';
import type { MigrationContext } from '../migrate.js';

/**
 * The audit log is append-only in the database itself, not only by convention: any UPDATE or
 * DELETE of an entry (from the desk, a script or a console) fails. PostgreSQL also refuses
 * TRUNCATE, which row triggers do not see. An index serves the newest-first, paged reading
 * (`GET /api/v1/audit`).
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await db.schema
    .createIndex('audit_log_workspace_id_ix')
    .on('audit_log')
    .columns(['workspace_id', 'id'])
    .execute();
  if (ctx.dialect === 'sqlite') {
    for (const op of ['UPDATE', 'DELETE']) {
      await sql`CREATE TRIGGER ${sql.raw(`audit_log_no_${op.toLowerCase()}`)}
        BEFORE ${sql.raw(op)} ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END`.execute(db);
    }
    return;
  }
  await sql`CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$`.execute(db);
  await sql`CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()`.execute(db);
  await sql`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()`.execute(db);
}
