import { type Kysely, sql } from 'kysely';
import type { MigrationContext } from '../migrate.js';

/**
 * `cases.inbox_moved_at`: wall time (ms) at which a case's inbox position (`last_message_at`)
 * last changed. A client walking the inbox pages by `last_message_at`; a case that gets a new
 * message during the walk jumps ahead of the cursor and would never be seen. The pages after the
 * last one in order list the cases moved since the walk began (`src/cases/case.walk.ts`), and
 * this column is how they are found.
 *
 * A trigger keeps it, as the text-search triggers of 0008 do, so every writer of
 * `last_message_at` (replies, loop-closing notices, merges, any future one) is covered without
 * remembering it. The pipeline's bulk update, the hot path, sets it itself (a second UPDATE per
 * row from the trigger tripled the cost of each case row there); the trigger leaves alone a row
 * whose writer did. Null until a case first moves, so the partial index holds only cases that
 * moved at some time.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('cases').addColumn('inbox_moved_at', 'bigint').execute();
  if (ctx.dialect === 'sqlite') {
    // The inner UPDATE names another column, so it does not fire this trigger again.
    await sql`CREATE TRIGGER cases_inbox_moved AFTER UPDATE OF last_message_at ON cases
      WHEN NEW.last_message_at IS NOT OLD.last_message_at
        AND NEW.inbox_moved_at IS OLD.inbox_moved_at BEGIN
        UPDATE cases SET inbox_moved_at = CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
        WHERE id = NEW.id;
      END`.execute(db);
  } else {
    // clock_timestamp(), not now(): a long pipeline transaction must not date its moves at its start.
    await sql`CREATE FUNCTION cases_inbox_moved() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.last_message_at IS DISTINCT FROM OLD.last_message_at THEN
          NEW.inbox_moved_at := (extract(epoch FROM clock_timestamp()) * 1000)::bigint;
        END IF;
        RETURN NEW;
      END $$`.execute(db);
    await sql`CREATE TRIGGER cases_inbox_moved BEFORE UPDATE OF last_message_at ON cases
      FOR EACH ROW WHEN (NEW.last_message_at IS DISTINCT FROM OLD.last_message_at
        AND NEW.inbox_moved_at IS NOT DISTINCT FROM OLD.inbox_moved_at)
      EXECUTE FUNCTION cases_inbox_moved()`.execute(db);
  }
  await sql`CREATE INDEX cases_inbox_moved_ix ON cases (inbox_moved_at, id)
    WHERE inbox_moved_at IS NOT NULL`.execute(db);
}
