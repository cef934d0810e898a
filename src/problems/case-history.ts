import type { Kysely } from 'kysely';
import { pipelineCaseEventRows } from '../cases/case.store.js';
import type { BatchState } from '../ingest/pipeline/types.js';
import type { DB } from '../platform/db/schema.js';

/**
 * Writes the case history entries problem decisions made outside a pipeline batch (a process
 * signal, a catch-up on what other nodes stored), whose entries no persist stage writes: a case a
 * process problem took, or the detector moved, says so in its history as any other does (QA: a
 * process problem's 24 cases had no entry). In chunks, as the persist stage writes a batch's.
 */
export async function writeCaseHistory(
  trx: Kysely<DB>,
  ws: string,
  events: BatchState['caseEvents'],
  now: number,
): Promise<void> {
  const rows = pipelineCaseEventRows(ws, events, now);
  for (let i = 0; i < rows.length; i += 500)
    await trx
      .insertInto('case_events')
      .values(rows.slice(i, i + 500))
      .execute();
}
