import type { Kysely } from 'kysely';
import { caseEvent } from '../cases/case.store.js';
import type { DB } from '../platform/db/schema.js';

/** How a case came to be linked, as its history says it. */
export type LinkedHow = 'detected' | 'by_hand' | 'created_from_case' | 'merged' | 'split';
/**
 * How a case left a problem: unlinked by a person, merged or split into another one, or moved by
 * the detector to another problem (case-move.ts).
 */
export type UnlinkedHow = 'by_hand' | 'merged' | 'split' | 'moved';

type ProblemRef = { id: string; number: number | null };
type Actor = { type: string; id: string | null };

/** The actor as the case history names it (a merge the detector made is the system's). */
const who = (actor: Actor): { type: 'user' | 'token' | 'system'; id: string | null } => ({
  type: actor.type === 'token' || actor.type === 'system' ? actor.type : 'user',
  id: actor.id,
});

/**
 * A `problem_linked` entry on each case a person linked (or a merge or split moved): the agent
 * who opens the case sees which problem holds it and since when, as for complaints linked on
 * arrival (whose entry also carries the informed acknowledgement, apply-decisions.ts).
 * Detection's founding links are written by the pipeline with its batch's case events
 * (`how: 'detected'`). A move also names the problem the case came from (`from`).
 */
export async function recordCasesLinked(
  trx: Kysely<DB>,
  ws: string,
  caseIds: readonly string[],
  problem: ProblemRef,
  actor: Actor,
  how: LinkedHow,
  now: number,
  from?: ProblemRef,
): Promise<void> {
  const data = { problemId: problem.id, number: num(problem), how, ...ref('from', from) };
  for (const caseId of caseIds)
    await caseEvent(trx, ws, caseId, who(actor), 'problem_linked', data, now);
}

/**
 * A `problem_unlinked` entry on each case that leaves a problem by a person's act (unlinked, its
 * problem merged into another, split off): its history named only the problems it joined, so a
 * case moved twice still read as the first problem's. A move names where it went (`to`).
 */
export async function recordCasesUnlinked(
  trx: Kysely<DB>,
  ws: string,
  caseIds: readonly string[],
  problem: ProblemRef,
  actor: Actor,
  how: UnlinkedHow,
  now: number,
  to?: ProblemRef,
): Promise<void> {
  const data = { problemId: problem.id, number: num(problem), how, ...ref('to', to) };
  for (const caseId of caseIds)
    await caseEvent(trx, ws, caseId, who(actor), 'problem_unlinked', data, now);
}

/**
 * The detector moved a case from one problem to another (case-move.ts): its `problem_unlinked`
 * entry (written with the pipeline batch's case events, as the detector's `problem_linked`
 * entries are), and the `from` its `problem_linked` entry then names.
 */
export function movedEntries(from: ProblemRef, to: ProblemRef) {
  return {
    unlinked: {
      problemId: from.id,
      number: num(from),
      how: 'moved' as UnlinkedHow,
      ...ref('to', to),
    },
    from: { problemId: from.id, number: num(from) },
  };
}

/** A problem as a case's history names it (`from`, `to`). */
export type HistoryRef = ReturnType<typeof movedEntries>['from'];

// PostgreSQL returns bigint columns as strings.
const num = (p: ProblemRef) => (p.number === null ? null : Number(p.number));
const ref = (key: 'from' | 'to', p: ProblemRef | undefined) =>
  p ? { [key]: { problemId: p.id, number: num(p) } } : {};
