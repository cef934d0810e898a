import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { setCaseStatus } from './problem.service.js';
import { ProblemWorker } from './problem.worker.js';
import { problemsWorld } from './test-world.js';

/**
 * The quiet-period worker takes a case before its link, as a person's fix does (the case to
 * pending, then its link's resolution time): the two wait for each other instead of
 * deadlocking. On SQLite one connection serialises them, so this checks PostgreSQL's order.
 */
describe.each(ENGINES)('the quiet-period worker beside a person fixing on %s', (engine) => {
  const t = suiteApp(engine);
  const { db, api, cases, autoProblem } = problemsWorld(() => t);

  it('a fix made again while the worker resolves: both finish', async () => {
    const cs = await cases(1);
    const id = await autoProblem(cs);
    const status = (s: string) =>
      api('POST', `/api/v1/problems/${id}/status`, { status: s, silent: true });
    expect((await status('fixed')).statusCode).toBe(200);
    // The fix is reverted: the link stays due, so the worker will look at it.
    expect((await status('fixing')).statusCode).toBe(200);
    const link = await db()
      .selectFrom('problem_links')
      .select('id')
      .where('problem_id', '=', id)
      .executeTakeFirstOrThrow();
    const caseId = cs[0].case_id!;
    const later = () => Date.now() + 40 * 24 * 3_600_000;
    let workerErr: unknown = null;
    let worker: Promise<unknown> = Promise.resolve();
    // A person's "fixed" again, statement by statement as `pendLinkedCases` runs them: the case
    // first, then (while the worker has started) its link.
    await db()
      .transaction()
      .execute(async (trx) => {
        await setCaseStatus(
          trx,
          t.app.workspace.workspaceId,
          caseId,
          'open',
          'pending',
          'customer',
          Date.now(),
          {
            problemId: id,
            why: 'problem fixed',
          },
        );
        if (engine === 'postgres')
          worker = new ProblemWorker({ database: t.app.database, clock: later })
            .runOnce()
            .catch((e) => {
              workerErr = e;
            });
        await new Promise((r) => setTimeout(r, 300));
        await trx
          .updateTable('problem_links')
          .set({ resolve_due_at: Date.now() + 1_800_000 })
          .where('id', '=', link.id)
          .execute();
        await sql`select 1`.execute(trx);
      });
    await worker;
    // Was: deadlock detected (40P01) in the worker, which took the link first.
    expect((workerErr as Error | null)?.message ?? null).toBeNull();
  });
});
