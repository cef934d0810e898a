import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { BatchState, CaseState } from '../ingest/pipeline/types.js';
import type { DB } from '../platform/db/schema.js';
import { type Ack, acknowledgeArrivals } from './acknowledge.js';
import { applyOwn, applyRefine, applyRetopic, unmixedTitle } from './apply-shape.js';
import { heldLinks } from './case-links.js';
import { moveCase, storePendingLink } from './case-move.js';
import { votingTopic } from './detector/book.js';
import { DEFAULT_DETECTOR_CONFIG } from './detector/config.js';
import type { Decision, ProblemKind } from './detector/detector.js';
import { queueEscalations, refreshEscalationSnapshots } from './escalate.js';
import type { HistoryRef } from './link-history.js';
import { erasedCaseIds } from './link-refusals.js';
import { resolveOwner } from './owner.js';
import type { ProblemSettings } from './problem.settings.js';
import {
  type CountsDelta,
  insertLinks,
  insertProblem,
  type LinkRow,
  problemEvent,
  problemTitle,
  refreshCounts,
  signatureOf,
} from './problem.store.js';
import { reopenReturning, reopenUnheld } from './reopen.js';
import { foldIntoReturning } from './reopen-narrowed.js';

/** What applying decisions needs of an open problem (kept current as problems are raised). */
export interface OpenProblemRow {
  id: string;
  number: number;
  title: string;
  status: string;
  eta_at: number | null;
  signature_json: string | null;
  kind: string;
  detected_at: number;
  area_json?: string | null;
  topic?: string | null;
}

/**
 * Writes the detector's decisions in the batch's transaction: new problems (owner, title,
 * history, escalations), links (in one multi-row insert, with counts refreshed once), keys a
 * problem took over, refined areas, settled topics, automatic status changes, and the
 * informed acknowledgement of complaints linked on arrival (a suggestion on the case, or sent
 * when the admin said so).
 */
export async function applyDecisions(
  trx: Kysely<DB>,
  ws: string,
  now: number,
  caseEvents: BatchState['caseEvents'],
  decisions: Decision[],
  linked: Map<string, string>,
  byId: Map<string, OpenProblemRow>,
  settings: ProblemSettings,
  /** Collects the problems raised or changed (for live updates after commit). */
  changed: Set<string>,
  /** The detector's `topicSettleMs`: how long after a raise links vote for its topic. */
  settleMs = DEFAULT_DETECTOR_CONFIG.topicSettleMs,
  /**
   * Links removed by a person or a split (`caseId>problemId`): an automatic link never puts a
   * case back into a problem it was taken out of.
   */
  unlinked: ReadonlySet<string> = new Set(),
  /**
   * The cases this batch's messages went to, each with how many of them are not stored yet
   * (the pipeline stores messages after detection; another node's are stored already).
   */
  batchCases: ReadonlyMap<string, number> = new Map(),
  /** The detector's event time (the latest message or signal it has seen). */
  streamNow = 0,
  arrivals: {
    /** Cases whose complaint says it is still broken: never told a fix (`acknowledge.ts`). */
    noFixedAck?: ReadonlySet<string>;
    /** The pipeline batch's cases (stored after detection). */
    cases?: ReadonlyMap<string, CaseState>;
  } = {},
) {
  // How new the stream is: a decision is history (no escalation, no acknowledgement sent) only
  // when the detector's own event time and the whole batch are old, so one back-dated complaint
  // that tips a live trouble over its threshold still pages the owning team.
  let newest = streamNow;
  for (const d of decisions) {
    const at = d.type === 'link' ? d.member.at : 'at' in d ? d.at : 0;
    if (at > newest) newest = at;
  }
  // Links decided for cases no message of this batch went to (a raise's window, complainers a
  // second trouble takes back: `split-topic.ts`) may find them linked already: read where, so a
  // move is a move and not a second link.
  const unseen = new Set<string>();
  for (const d of decisions) {
    const c = d.type === 'link' ? d.member.caseId : null;
    if (c && !linked.has(c) && !batchCases.has(c)) unseen.add(c);
  }
  let removed = unlinked;
  if (unseen.size > 0) {
    const held = await heldLinks(trx, ws, [...unseen], byId);
    for (const [c, id] of held.linked) linked.set(c, id);
    if (held.unlinked.size > 0) removed = new Set([...unlinked, ...held.unlinked]);
  }
  const links: LinkRow[] = [];
  const acks: Ack[] = [];
  /** Topic votes of the problems this batch's links voted for (written once, after the loop). */
  const voted = new Map<string, Record<string, number>>();
  const votesOf = (row: OpenProblemRow) => {
    let votes = voted.get(row.id);
    if (!votes) {
      votes = { ...signatureOf(row).votes };
      voted.set(row.id, votes);
    }
    return votes;
  };
  // A case the detector moves takes back the vote its complaint gave the problem it leaves (as
  // the detector's `ProblemBook` does), or that problem could take the topic of the trouble
  // that left it (`split-topic.ts`).
  const unvote = (problemId: string, topic: string | undefined) => {
    const row = byId.get(problemId);
    if (!row || !topic) return;
    const votes = votesOf(row);
    if ((votes[topic] ?? 0) > 0) votes[topic]--;
  };
  /** Problems raised in this batch: their opening escalation already carries the final topic. */
  const raisedHere = new Set<string>();
  // A raise that reopened an earlier problem: the detector's later decisions about the new id
  // are about that problem.
  const alias = new Map<string, string>();
  // The detector remembers complaints it has seen; one whose customer was erased since joins no
  // problem (a person could not link it either: 422), so its customer is neither counted nor told.
  const erased = await erasedCaseIds(
    trx,
    decisions.flatMap((d) => (d.type === 'link' && d.member.caseId ? [d.member.caseId] : [])),
  );
  for (const raw of decisions) {
    const target = alias.get(raw.problemId);
    let d: Decision = target ? { ...raw, problemId: target } : raw;
    // A key taken over from a problem folded into another is taken from that one.
    if (d.type === 'own' && d.from && alias.has(d.from)) {
      const from = alias.get(d.from)!;
      d = from === d.problemId ? { ...d, from: undefined } : { ...d, from };
    }
    switch (d.type) {
      case 'raise': {
        const reopened = await reopenReturning(trx, ws, d, now);
        if (reopened) {
          alias.set(d.problemId, reopened.id);
          byId.set(reopened.id, reopened);
          changed.add(reopened.id);
          break;
        }
        const owner = await resolveOwner(trx, ws, settings, d);
        // People read titles: a process problem names its team, not the team's id.
        const team =
          d.kind === 'process' && d.teamId
            ? ((
                await trx
                  .selectFrom('teams')
                  .select('name')
                  .where('id', '=', d.teamId)
                  .executeTakeFirst()
              )?.name ?? d.teamId)
            : d.teamId;
        const title = problemTitle(
          d.kind,
          d.topic,
          d.area,
          d.kind === 'process' ? d.keys : d.terms,
          team,
          d.mix,
        );
        const row = await insertProblem(
          trx,
          ws,
          {
            id: d.problemId,
            kind: d.kind,
            status: d.confirmed ? 'confirmed' : 'suspected',
            title,
            topic: d.topic,
            area: d.area,
            areaKey: d.areaKey,
            signature: {
              keys: d.keys,
              terms: d.terms,
              teamId: d.teamId,
              human: false,
              ...(d.mix ? { mix: d.mix } : {}),
            },
            owner: owner.name,
            ownerTeamId: owner.teamId,
            baseline: { ...d.baseline, tightness: d.tightness },
            detectedAt: d.at,
            firstEventAt: d.firstAt,
          },
          now,
        );
        byId.set(row.id, row);
        await problemEvent(
          trx,
          ws,
          row.id,
          'detected',
          { baseline: d.baseline, status: row.status },
          { now, eventAt: d.at },
        );
        await queueEscalations(trx, ws, row.id, 'problem.opened', now, newest);
        raisedHere.add(row.id);
        changed.add(row.id);
        break;
      }
      case 'link': {
        const m = d.member;
        if (!m.caseId || erased.has(m.caseId)) break;
        if (linked.get(m.caseId) === d.problemId) break;
        if (removed.has(`${m.caseId}>${d.problemId}`)) break;
        const held = linked.get(m.caseId);
        // A process signal (a broken promise, a breach) never takes a case from another problem:
        // it is no complaint, and the case's customer waits for that trouble's news.
        if (held !== undefined && byId.get(d.problemId)?.kind === 'process') break;
        // Moved from another problem: the case's `problem_linked` entry names it (`from`).
        let moved: { from?: HistoryRef } = {};
        // The arrival acknowledgement of a link made earlier in this batch goes with the case.
        let carried: Ack | null = null;
        if (held !== undefined) {
          const pending = await storePendingLink(
            trx,
            ws,
            m.caseId,
            held,
            { links, acks },
            caseEvents,
            now,
          );
          carried = pending?.ack ?? null;
          const at = { now, eventAt: m.at };
          const move = await moveCase(trx, ws, m.caseId, held, d.problemId, at, caseEvents);
          if (!move) break;
          if (move.from) moved = { from: move.from };
          changed.add(held);
          unvote(held, d.unvote);
        }
        linked.set(m.caseId, d.problemId);
        // The case's first link to this problem: its complaint's topic votes for the problem's
        // settled topic (the detector counts the same way; stored so a restart keeps the count).
        const p = byId.get(d.problemId);
        const vote = p
          ? votingTopic(
              { kind: p.kind as ProblemKind, detectedAt: Number(p.detected_at) },
              m.topic,
              m.at,
              settleMs,
            )
          : null;
        if (p && vote) {
          const votes = votesOf(p);
          votes[vote] = (votes[vote] ?? 0) + 1;
        }
        links.push({
          problemId: d.problemId,
          caseId: m.caseId,
          customerId: m.customerId,
          source: 'auto',
          linkedAt: m.at,
        });
        if ((d.reason === 'arrival' || carried) && p)
          acks.push({
            problemId: d.problemId,
            caseId: m.caseId,
            customerId: m.customerId,
            at: carried?.at ?? m.at,
            problem: { ...p },
            ...moved,
          });
        // Linked when the problem was raised, or later by the detector without an arrival of
        // theirs: the case's history says so too (an arrival's entry carries its ack, below).
        else
          caseEvents.push({
            caseId: m.caseId,
            type: 'problem_linked',
            data: { problemId: d.problemId, number: p?.number ?? null, how: 'detected', ...moved },
            eventAt: m.at,
          });
        break;
      }
      case 'own':
        await applyOwn(trx, ws, d, byId, now);
        break;
      case 'refine': {
        if (!(await applyRefine(trx, ws, d, byId, settings, now))) break;
        changed.add(d.problemId);
        // Narrowed to where a problem was fixed lately: that one again (reopen-narrowed.ts).
        // The batch's links to the new problem are stored first, so the merge moves them too.
        const gone = d.problemId;
        const back = await foldIntoReturning(trx, ws, d, now, async () => {
          const mine = links.filter((l) => l.problemId === gone);
          if (mine.length > 0) await insertLinks(trx, ws, mine, now);
          links.splice(0, links.length, ...links.filter((l) => l.problemId !== gone));
        });
        if (back) {
          alias.set(gone, back.id);
          byId.set(back.id, back);
          byId.delete(gone);
          changed.add(back.id);
          for (const [c, id] of linked) if (id === gone) linked.set(c, back.id);
          // Their acknowledgements speak of the problem they are in now.
          for (const a of acks)
            if (a.problemId === gone)
              Object.assign(a, { problemId: back.id, problem: { ...back } });
          const votes = voted.get(gone);
          if (votes) {
            const into = votesOf(back);
            for (const [k, n] of Object.entries(votes)) into[k] = (into[k] ?? 0) + n;
            voted.delete(gone);
          }
          break;
        }
        await queueEscalations(trx, ws, d.problemId, 'problem.updated', now, newest);
        break;
      }
      case 'retopic':
        if (!(await applyRetopic(trx, ws, d, byId, settings, now, voted.get(d.problemId)))) break;
        // The owner may have changed with it: escalation targets hear of the new title and owner
        // (unless it opened in this batch: its opening escalation is read after this commit).
        if (!raisedHere.has(d.problemId))
          await queueEscalations(trx, ws, d.problemId, 'problem.updated', now, newest);
        changed.add(d.problemId);
        break;
      case 'unfix':
        if (await reopenUnheld(trx, ws, d, now)) {
          changed.add(d.problemId);
          setStatus(byId, d.problemId, 'fixing');
        }
        break;
      case 'confirm':
      case 'verify':
      case 'expire': {
        const to = d.type === 'confirm' ? 'confirmed' : d.type === 'verify' ? 'verified' : 'closed';
        // Only from the status the detector saw: a person (or a reopen earlier in this batch)
        // may have moved the problem since, and their word stands.
        const from =
          d.type === 'confirm' ? ['suspected'] : d.type === 'verify' ? ['fixed'] : ['suspected'];
        const done = await trx
          .updateTable('problems')
          .set({
            status: to,
            updated_at: now,
            version: sql<number>`version + 1`,
            ...(to === 'closed' ? { closed_at: d.at } : {}),
          })
          .where('id', '=', d.problemId)
          .where('status', 'in', from)
          .executeTakeFirst();
        if (Number(done.numUpdatedRows) === 0) break;
        // Later links of this batch are acknowledged with the status they joined.
        setStatus(byId, d.problemId, to);
        const why =
          d.type === 'expire'
            ? 'complaints subsided before anyone acted'
            : d.type === 'verify'
              ? 'complaints back to baseline after the fix'
              : 'stronger evidence';
        await problemEvent(
          trx,
          ws,
          d.problemId,
          'status_changed',
          { to, why },
          { now, eventAt: d.at },
        );
        // The confirmation too: PagerDuty pages on it (a suspected problem's opening pages no
        // one). It was once left out when the opening paged, to spare a second event; the
        // conditional update above lets only one confirmation through per suspicion.
        await queueEscalations(trx, ws, d.problemId, `problem.${to}`, now, newest);
        changed.add(d.problemId);
        break;
      }
    }
  }
  for (const [id, votes] of voted) {
    // On top of whatever the loop wrote to its signature since (keys it took over).
    const p = byId.get(id)!;
    const sig = { ...signatureOf(p), votes };
    const title = sig.mix ? await unmixedTitle(trx, id, sig) : null;
    p.signature_json = JSON.stringify(sig);
    await trx
      .updateTable('problems')
      .set({ signature_json: p.signature_json, ...(title ? { title } : {}), updated_at: now })
      .where('id', '=', id)
      .execute();
  }
  if (links.length > 0) await insertLinks(trx, ws, links, now);
  // Counters of every problem that got a case or a message, after the links above.
  const touched = new Map<string, CountsDelta>();
  const delta = (id: string) => {
    let d = touched.get(id);
    if (!d) {
      d = { unsaved: 0, newCases: [] };
      touched.set(id, d);
    }
    return d;
  };
  for (const l of links) delta(l.problemId).newCases.push(l.caseId);
  for (const [caseId, unsaved] of batchCases) {
    const id = linked.get(caseId);
    if (id) delta(id).unsaved += unsaved;
  }
  if (touched.size > 0) await refreshCounts(trx, touched, now);
  for (const id of touched.keys()) changed.add(id);
  await refreshEscalationSnapshots(trx, ws, changed, now);

  // Informed acknowledgement for complaints linked on arrival: a suggestion on the case, or
  // sent through the outbox when the admin turned that on.
  await acknowledgeArrivals(
    trx,
    ws,
    now,
    acks,
    settings,
    caseEvents,
    newest,
    arrivals.noFixedAck,
    arrivals.cases,
  );
}

/** Keeps the batch's copy of a problem current when a decision changes its status. */
function setStatus(byId: Map<string, OpenProblemRow>, id: string, status: string) {
  const p = byId.get(id);
  if (p) p.status = status;
}
