import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { DEFAULT_DETECTOR_CONFIG, type DetectorConfig } from './detector/config.js';
import type { Decision } from './detector/detector.js';
import type { DetectorInput } from './detector-input.js';
import { shortNegative } from './still-broken.intl.js';
import {
  type FixedProblem,
  isStillBroken,
  type StillBrokenReport,
  withinFixWindow,
} from './still-broken.js';
import { saysStillBroken } from './still-broken.words.js';

/*
 * What the words of a message alone cannot tell about "still broken": whether it answers the fix
 * notice (a bare "nope" to it says it is still broken), and whether a new case linked to a fixed
 * problem on arrival comes from a customer who was told of the fix already.
 */

type Problem = FixedProblem & { id: string };

/**
 * Whether the case's last message out is this problem's news of its fix (the fix notice, or the
 * acknowledgement of a case linked after the fix: both ask for a reply if it is still not working).
 * Messages out are ordered among themselves: the reply being judged is not stored yet.
 */
export async function answersFixNotice(
  trx: Kysely<DB>,
  caseId: string,
  problemId: string,
): Promise<boolean> {
  const last = await trx
    .selectFrom('messages')
    .select('id')
    .where('case_id', '=', caseId)
    .where('direction', '=', 'out')
    .orderBy('sent_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!last) return false;
  const notice = await trx
    .selectFrom('problem_notifications as pn')
    .innerJoin('problems as p', 'p.id', 'pn.problem_id')
    .select('pn.id')
    .where('pn.message_id', '=', last.id)
    .where('pn.problem_id', '=', problemId)
    .where('p.fixed_at', 'is not', null)
    .whereRef('pn.created_at', '>=', 'p.fixed_at')
    .limit(1)
    .executeTakeFirst();
  return notice !== undefined;
}

/**
 * A message on a case linked to a fixed problem that says it is still broken (`isStillBroken`),
 * or a short "no" that answers the fix notice. The notice is looked up only for a short "no".
 */
export async function stillBrokenReply(
  trx: Kysely<DB>,
  p: Problem,
  item: DetectorInput,
  config: Pick<DetectorConfig, 'topicGroups'> = DEFAULT_DETECTOR_CONFIG,
): Promise<boolean> {
  if (isStillBroken(p, item.triage, item.text, item.at, config)) return true;
  if (!item.caseId || !shortNegative(item.text) || !withinFixWindow(p, item.at)) return false;
  return answersFixNotice(trx, item.caseId, p.id);
}

/**
 * Complaints the detector links on arrival to a fixed problem that say it is still broken. None
 * of them is told the good news of the fix (`noFixedAck`: an agent answers them). One from a
 * customer already linked to the problem by another case (a public post that answers nothing
 * gets a case of its own) is that customer's "still broken" report, as a reply on their first
 * case would be; for them a negative complaint about the trouble says so too (`isStillBroken`).
 * A new customer's complaint is counted by the detector's own check that the fix held.
 * Call before `applyDecisions`, which adds this batch's links to `linked`.
 */
export async function stillBrokenArrivals(
  trx: Kysely<DB>,
  decisions: readonly Decision[],
  inputs: readonly DetectorInput[],
  linked: ReadonlyMap<string, string>,
  byId: ReadonlyMap<string, Problem>,
  config: Pick<DetectorConfig, 'topicGroups'> = DEFAULT_DETECTOR_CONFIG,
): Promise<{ reports: StillBrokenReport[]; noFixedAck: Set<string> }> {
  const reports: StillBrokenReport[] = [];
  const noFixedAck = new Set<string>();
  const byRef = new Map(inputs.map((i) => [i.ref, i]));
  for (const d of decisions) {
    if (d.type !== 'link' || d.reason !== 'arrival') continue;
    const caseId = d.member.caseId;
    const p = byId.get(d.problemId);
    const item = byRef.get(d.member.ref);
    if (!caseId || !p || !item || linked.has(caseId) || !withinFixWindow(p, item.at)) continue;
    const before = await trx
      .selectFrom('problem_links')
      .select('id')
      .where('problem_id', '=', p.id)
      .where('customer_id', '=', item.customerId)
      .where('case_id', '!=', caseId)
      .where('unlinked_at', 'is', null)
      .limit(1)
      .executeTakeFirst();
    const broken = before
      ? isStillBroken(p, item.triage, item.text, item.at, config)
      : saysStillBroken(item.text);
    if (!broken) continue;
    noFixedAck.add(caseId);
    if (before && !reports.some((r) => r.item === item))
      reports.push({ problemId: p.id, fixedAt: p.fixed_event_at!, item });
  }
  return { reports, noFixedAck };
}
