import type { Kysely } from 'kysely';
import { cancelErasedNotices } from '../notify/notify.cancel.js';
import type { DB } from '../platform/db/schema.js';
import { problemEvent, recountProblem } from '../problems/problem.store.js';
import { type Mentions, mentionMasker } from './erase-mentions.js';
import { chunks } from './scrub.js';

/**
 * An erased customer leaves the problems their cases were in: the links are ended (a problem's
 * customer count drops; the detector, which does not put back a link a person removed, leaves
 * them out too), each problem's history says which cases left and why (ids only), and their
 * notices still queued are cancelled, never sent to the "[erased]" placeholder.
 */
export async function leaveProblems(
  trx: Kysely<DB>,
  workspaceId: string,
  customerIds: readonly string[],
  caseIds: readonly string[],
  now: number,
): Promise<void> {
  const links: { problem_id: string; case_id: string }[] = [];
  const seen = new Set<string>();
  const add = (rows: { problem_id: string; case_id: string }[]) => {
    for (const r of rows)
      if (!seen.has(`${r.problem_id}>${r.case_id}`)) {
        seen.add(`${r.problem_id}>${r.case_id}`);
        links.push(r);
      }
  };
  for (const part of chunks(customerIds))
    add(await live(trx).where('customer_id', 'in', part).execute());
  for (const part of chunks(caseIds)) add(await live(trx).where('case_id', 'in', part).execute());
  const byProblem = new Map<string, string[]>();
  for (const l of links)
    byProblem.set(l.problem_id, [...(byProblem.get(l.problem_id) ?? []), l.case_id]);
  for (const [problemId, cases] of byProblem) {
    for (const part of chunks(cases))
      await trx
        .updateTable('problem_links')
        .set({ unlinked_at: now, resolve_due_at: null })
        .where('problem_id', '=', problemId)
        .where('case_id', 'in', part)
        .where('unlinked_at', 'is', null)
        .execute();
    await problemEvent(
      trx,
      workspaceId,
      problemId,
      'unlinked',
      { caseIds: cases, reason: 'erased' },
      { now, actorType: 'system', actorId: 'privacy' },
    );
    await recountProblem(trx, problemId, now);
  }
  await cancelErasedNotices(trx, customerIds, caseIds);
}

const live = (trx: Kysely<DB>) =>
  trx
    .selectFrom('problem_links')
    .select(['problem_id', 'case_id'])
    .where('unlinked_at', 'is', null);

/**
 * Problems are the desk's, not the customer's, so they stay; but an agent may have named the
 * customer in one their cases were linked to ("Zelda Quartzfield outage at 12 Elm St", "called
 * +1 415 555 0999 back"). Their name, handles and addresses are masked in the titles and update
 * texts of every problem their cases were ever linked to (a link already ended too, for a re-run),
 * and in the copies of those updates other customers were sent (the notices). Best effort, as for
 * other people's posts (`mentionMasker`): a nickname or a misspelling is not found.
 */
export async function maskProblemTexts(
  trx: Kysely<DB>,
  customerIds: readonly string[],
  caseIds: readonly string[],
  mentions: Mentions,
): Promise<number> {
  const mask = mentionMasker(mentions);
  if (!mask) return 0;
  const problemIds = new Set<string>();
  for (const [column, list] of [
    ['customer_id', customerIds],
    ['case_id', caseIds],
  ] as const)
    for (const part of chunks(list)) {
      const rows = await trx
        .selectFrom('problem_links')
        .select('problem_id')
        .where(column, 'in', part)
        .execute();
      for (const r of rows) problemIds.add(r.problem_id);
    }
  let n = 0;
  for (const part of chunks([...problemIds])) {
    const problems = await trx
      .selectFrom('problems')
      .select(['id', 'title'])
      .where('id', 'in', part)
      .execute();
    for (const p of problems) {
      const title = mask(p.title);
      if (title === p.title) continue;
      await trx.updateTable('problems').set({ title }).where('id', '=', p.id).execute();
      n++;
    }
    for (const [table, column] of [
      ['problem_updates', 'body'],
      ['problem_notifications', 'text'],
    ] as const) {
      const rows = await trx
        .selectFrom(table)
        .select(['id', `${column} as text`])
        .where('problem_id', 'in', part)
        .execute();
      for (const r of rows as { id: string; text: string }[]) {
        const text = mask(r.text);
        if (text === r.text) continue;
        await trx
          .updateTable(table)
          .set({ [column]: text })
          .where('id', '=', r.id)
          .execute();
        n++;
      }
    }
  }
  return n;
}
