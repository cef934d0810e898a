import type { Kysely } from 'kysely';
import { caseEvent } from '../cases/case.store.js';
import type { DB } from '../platform/db/schema.js';

/** How a case came to be linked, as its history says it. */
export type LinkedHow = 'detected' | 'by_hand' | 'created_from_case';

/**
 * A `problem_linked` entry on each case a person linked: the agent who opens the case sees
 * which problem holds it and since when, as for complaints linked on arrival (whose entry also
 * carries the informed acknowledgement, apply-decisions.ts). Detection's founding links are
 * written by the pipeline with its batch's case events (`how: 'detected'`).
 */
export async function recordCasesLinked(
  trx: Kysely<DB>,
  ws: string,
  caseIds: readonly string[],
  problem: { id: string; number: number | null },
  actor: { type: string; id: string | null },
  how: LinkedHow,
  now: number,
): Promise<void> {
  const who = {
    type: actor.type === 'token' ? ('token' as const) : ('user' as const),
    id: actor.id,
  };
  for (const caseId of caseIds)
    await caseEvent(
      trx,
      ws,
      caseId,
      who,
      'problem_linked',
      { problemId: problem.id, number: problem.number, how },
      now,
    );
}
