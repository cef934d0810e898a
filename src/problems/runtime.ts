import { type Kysely, sql } from 'kysely';
import type { BatchState, StageContext } from '../ingest/pipeline/types.js';
import { queueNotifications } from '../notify/notify.service.js';
import type { DB } from '../platform/db/schema.js';
import type { TriageResult } from '../triage/index.js';
import type { DetectorConfig } from './detector/config.js';
import { type Decision, Detector, type ProcessSignal } from './detector/detector.js';
import { queueEscalations } from './escalate.js';
import { type DetectorLeadership, idAt } from './leader.js';
import { resolveOwner } from './owner.js';
import {
  DEFAULT_PROBLEM_SETTINGS,
  fill,
  loadProblemSettings,
  type ProblemSettings,
} from './problem.settings.js';
import {
  insertLinks,
  insertProblem,
  type LinkRow,
  openProblems,
  problemEvent,
  problemTitle,
  refreshCounts,
  signatureOf,
  toView,
} from './problem.store.js';

/** What the detector reads of a stored message, in catch-up and in rebuilds alike. */
const STREAM_COLUMNS = [
  'channel',
  'external_id',
  'author_address',
  'customer_id',
  'case_id',
  'sent_at',
  'text',
  'triage_json',
] as const;

const DAY = 86_400_000;
/** How far back (wall time) a catch-up scan looks again for transactions that committed late. */
const SCAN_LAG_MS = 10_000;

/** One inbound customer message for the detector, from the batch or from storage. */
interface Input {
  ref: string;
  channel: string;
  externalId: string;
  at: number;
  customerId: string;
  caseId: string | null;
  address: string | null;
  triage: TriageResult | null;
  text: string;
  /** Its case was resolved and this message reopened it. */
  reopened: boolean;
  queueId: string | null;
}

export interface ProblemRuntimeOptions {
  workspaceId: string;
  config?: Partial<DetectorConfig>;
  /** How much stored history rebuilds the detector's baseline after a restart. */
  warmupDays?: number;
  /** Several nodes on one PostgreSQL database: only the leader detects. */
  leadership?: DetectorLeadership;
  /** Called after commit with the problems raised or changed (live updates). */
  onChanged?: (problemIds: string[]) => void;
}

const STILL_BROKEN =
  /\b(still|again|not (fixed|working)|doesn'?t work|isn'?t working|same problem|no change)\b/i;

/**
 * The problem detector's place in the pipeline. Its in-memory detector is a cache of what the
 * stored messages imply: built on first use from recent history (silently, decisions already
 * made are in storage), and rebuilt when a batch it saw was rolled back, so a retried batch is
 * never counted twice. Decisions are written in the batch's transaction, in a few statements.
 */
export class ProblemRuntime {
  private detector: Detector | null = null;
  /** Leadership term the detector's state belongs to. */
  private term = -1;
  /** Shared database: refs already observed (by wall time seen), and where the next scan starts. */
  private readonly seen = new Map<string, number>();
  private scanFrom = 0;
  private lastId = '';
  private lastLagScan = 0;
  /** A batch ran through the detector but has not (yet) committed. */
  private uncommitted = false;
  private changed = new Set<string>();

  constructor(private readonly opts: ProblemRuntimeOptions) {}

  /** Called by the pipeline worker once the batch's transaction committed. */
  committed(): void {
    this.uncommitted = false;
    if (this.changed.size > 0) {
      const ids = [...this.changed];
      this.changed.clear();
      this.opts.onChanged?.(ids);
    }
  }

  /** Forget the in-memory state (next batch rebuilds it from storage). */
  reset(): void {
    this.detector = null;
  }

  async run(batch: BatchState, ctx: StageContext): Promise<void> {
    const items = batch.items.filter(
      (i) => i.msg && !i.rejected && !i.duplicate && i.direction === 'in' && i.customerId,
    );
    const lead = this.opts.leadership;
    if (items.length === 0 && !lead?.shared) return;
    if (!(await this.lead())) return;
    const inputs: Input[] = items.map((item) => ({
      ref: `${item.msg!.channel}\u0000${item.msg!.externalId}`,
      channel: item.msg!.channel,
      externalId: item.msg!.externalId,
      at: item.sentAt,
      customerId: item.customerId!,
      caseId: item.caseId,
      address: item.msg!.author.id,
      triage: item.triage,
      text: item.text,
      reopened: item.caseAction === 'reopened',
      queueId: item.caseId ? (batch.cases.get(item.caseId)?.queueId ?? null) : null,
    }));
    await this.process(ctx.trx, ctx.now, batch.caseEvents, inputs);
  }

  /**
   * On a shared database: detection happens on the leader only, which also reads what the
   * other nodes' pipelines stored since its last look (the ProblemWorker's timer calls this
   * when the leader itself has no batches). Returns whether anything was observed.
   */
  async catchUp(db: Kysely<DB>, now: number): Promise<void> {
    if (!this.opts.leadership?.shared || !(await this.lead())) return;
    await this.settled();
    const caseEvents: BatchState['caseEvents'] = [];
    await db.transaction().execute((trx) => this.process(trx, now, caseEvents, []));
    // Case events of informed acknowledgements need the pipeline's case-event writer; a
    // catch-up records the link (and queues the automatic acknowledgement) only.
    this.committed();
  }

  /**
   * Waits (briefly) for a batch that went through the detector to commit, so a process signal
   * or a catch-up arriving meanwhile (separate connections on PostgreSQL) neither interleaves
   * with it nor throws its state away; a batch that never commits was rolled back.
   */
  private async settled(): Promise<void> {
    for (let i = 0; i < 250 && this.uncommitted; i++) await new Promise((r) => setTimeout(r, 20));
  }

  /** Checks leadership; a change of term means the in-memory state is someone else's. */
  private async lead(): Promise<boolean> {
    const lead = this.opts.leadership;
    if (!lead) return true;
    const ok = await lead.check();
    if (!ok) {
      this.detector = null;
      return false;
    }
    if (lead.term !== this.term) {
      this.term = lead.term;
      this.detector = null;
    }
    return true;
  }

  private async process(
    trx: Kysely<DB>,
    now: number,
    caseEvents: BatchState['caseEvents'],
    own: Input[],
  ): Promise<void> {
    const ws = this.opts.workspaceId;
    const shared = !!this.opts.leadership?.shared;
    if (this.uncommitted) this.detector = null;
    this.changed.clear();
    this.uncommitted = true;
    const rows = await openProblems(trx, ws);
    const byId = new Map(rows.map((r) => [r.id, r]));
    if (!this.detector) {
      this.detector = await this.warm(trx, own[0]?.at ?? now);
      this.seen.clear();
      this.scanFrom = Date.now();
      this.lastId = idAt(this.scanFrom);
      this.lastLagScan = this.scanFrom;
    }
    const det = this.detector;
    det.syncProblems(rows.map(toView));
    // Messages other nodes stored since the last look (ids are time-ordered by the wall clock
    // of the node that made them; the lag covers transactions that committed late).
    const inputs: Input[] = [];
    if (shared) {
      const wall = Date.now();
      // New rows since the last one seen, each read once (light columns); every few seconds
      // the recent past again, for transactions that committed after a newer one was seen.
      const lagScan = wall - this.lastLagScan >= SCAN_LAG_MS / 2;
      const from = lagScan ? idAt(this.scanFrom - SCAN_LAG_MS) : this.lastId;
      const light = await trx
        .selectFrom('messages')
        .select(['id', 'channel', 'external_id'])
        .where('workspace_id', '=', ws)
        .where('direction', '=', 'in')
        .where('id', '>', from)
        .orderBy('id')
        .limit(50_000)
        .execute();
      if (lagScan) {
        this.lastLagScan = wall;
        this.scanFrom = wall;
      }
      const unseen: string[] = [];
      for (const r of light) {
        if (r.id > this.lastId) this.lastId = r.id;
        const ref = `${r.channel}\u0000${r.external_id}`;
        if (this.seen.has(ref)) continue;
        this.seen.set(ref, wall);
        unseen.push(r.id);
      }
      for (let i = 0; i < unseen.length; i += 1000) {
        const stored = await trx
          .selectFrom('messages')
          .select(STREAM_COLUMNS)
          .where('id', 'in', unseen.slice(i, i + 1000))
          .execute();
        for (const r of stored) {
          if (!r.customer_id || !r.triage_json) continue;
          inputs.push({
            ref: `${r.channel}\u0000${r.external_id}`,
            channel: r.channel,
            externalId: r.external_id,
            at: r.sent_at,
            customerId: r.customer_id,
            caseId: r.case_id,
            address: r.author_address,
            triage: JSON.parse(r.triage_json) as TriageResult,
            text: r.text,
            reopened: false,
            queueId: null,
          });
        }
      }
      inputs.sort((a, b) => a.at - b.at);
      for (const i of own) this.seen.set(i.ref, wall);
      for (const [ref, t] of this.seen) {
        if (wall - t <= 3 * SCAN_LAG_MS) break;
        this.seen.delete(ref);
      }
    }
    inputs.push(...own);
    if (inputs.length === 0) return;

    // Which of the cases are already linked (one query per thousand).
    const caseIds = [...new Set(inputs.map((i) => i.caseId).filter((c): c is string => !!c))];
    const linked = new Map<string, string>();
    for (let i = 0; i < caseIds.length; i += 1000) {
      const ls = await trx
        .selectFrom('problem_links')
        .select(['case_id', 'problem_id'])
        .where('workspace_id', '=', ws)
        .where('case_id', 'in', caseIds.slice(i, i + 1000))
        .where('unlinked_at', 'is', null)
        .execute();
      for (const l of ls) {
        if (!byId.has(l.problem_id)) continue;
        linked.set(l.case_id, l.problem_id);
        det.noteCaseLink(l.case_id, l.problem_id);
      }
    }

    const decisions: Decision[] = [];
    const stillBroken: { problemId: string; item: Input }[] = [];
    const repeats: Input[] = [];
    for (const item of inputs) {
      const tri = item.triage;
      // A customer coming back about the same need (their resolved case reopened by it).
      if (item.reopened && tri?.complaint && item.caseId) repeats.push(item);
      const already = item.caseId ? linked.get(item.caseId) : undefined;
      const p = already ? byId.get(already) : undefined;
      if (p && (p.status === 'fixed' || p.status === 'verified') && item.at >= (p.fixed_at ?? 0)) {
        if (isStillBroken(tri, item.text)) stillBroken.push({ problemId: p.id, item });
      }
      decisions.push(
        ...det.observe({
          ref: item.ref,
          at: item.at,
          customerId: item.customerId,
          caseId: item.caseId,
          address: item.address,
          area: tri?.area ?? null,
          complaint: !!tri?.complaint && !tri.spam,
          topic: tri?.topic ?? 'other',
          text: item.text,
        }),
      );
    }
    if (repeats.length > 0) {
      const teams = await teamsOfCases(trx, ws, repeats);
      for (const r of repeats) {
        decisions.push(
          ...det.observeProcess({
            ref: `repeat:${r.channel}:${r.externalId}`,
            kind: 'repeat_contact',
            teamId: teams.get(r.caseId!) ?? 'unassigned',
            at: r.at,
            customerId: r.customerId,
            caseId: r.caseId,
          }),
        );
      }
    }
    decisions.push(...det.tick());
    if (decisions.length === 0 && stillBroken.length === 0) return;
    const settings = await loadProblemSettings(trx, ws).catch(() => DEFAULT_PROBLEM_SETTINGS);
    await this.apply(trx, now, caseEvents, decisions, linked, byId, settings);
    if (stillBroken.length > 0) await this.recordStillBroken(trx, now, stillBroken, settings);
  }

  /**
   * Process signals from care core (a broken promise, an SLA breach), fed through the app's
   * live bus by `subscribeProcessSignals`: counted per team in event time (the deadline that
   * passed) and raised as a process problem when they spike. One transaction per signal batch.
   */
  async observeProcess(db: Kysely<DB>, now: number, signals: ProcessSignal[]): Promise<void> {
    if (signals.length === 0) return;
    if (!(await this.lead())) return;
    await this.settled();
    const ws = this.opts.workspaceId;
    await db.transaction().execute(async (trx) => {
      if (this.uncommitted) this.detector = null;
      const rows = await openProblems(trx, ws);
      const byId = new Map(rows.map((r) => [r.id, r]));
      if (!this.detector) this.detector = await this.warm(trx, signals[0].at);
      const det = this.detector;
      det.syncProblems(rows.map(toView));
      const decisions: Decision[] = [];
      for (const s of signals) decisions.push(...det.observeProcess(s));
      if (decisions.length === 0) return;
      this.uncommitted = true;
      const settings = await loadProblemSettings(trx, ws).catch(() => DEFAULT_PROBLEM_SETTINGS);
      await this.apply(trx, now, [], decisions, new Map(), byId, settings);
    });
    this.committed();
  }

  /** Rebuilds the detector from stored recent history without re-deciding anything. */
  private async warm(trx: Kysely<DB>, at: number): Promise<Detector> {
    const det = new Detector({ ...this.opts.config });
    const since = at - (this.opts.warmupDays ?? 14) * DAY;
    const links = await trx
      .selectFrom('problem_links')
      .select(['case_id', 'problem_id'])
      .where('workspace_id', '=', this.opts.workspaceId)
      .where('unlinked_at', 'is', null)
      .where('linked_at', '>=', since)
      .execute();
    for (const l of links) det.noteCaseLink(l.case_id, l.problem_id);
    const rows = await trx
      .selectFrom('messages')
      .select(STREAM_COLUMNS)
      .where('workspace_id', '=', this.opts.workspaceId)
      .where('direction', '=', 'in')
      .where('sent_at', '>=', since)
      .where('sent_at', '<=', at)
      .orderBy('sent_at')
      .execute();
    det.silent = true;
    for (const r of rows) {
      if (!r.customer_id || !r.triage_json) continue;
      const tri = JSON.parse(r.triage_json) as TriageResult;
      det.observe({
        ref: `${r.channel}\u0000${r.external_id}`,
        at: r.sent_at,
        customerId: r.customer_id,
        caseId: r.case_id,
        address: r.author_address,
        area: tri.area,
        complaint: tri.complaint && !tri.spam,
        topic: tri.topic,
        text: r.text,
      });
    }
    det.silent = false;
    return det;
  }

  private async apply(
    trx: Kysely<DB>,
    now: number,
    caseEvents: BatchState['caseEvents'],
    decisions: Decision[],
    linked: Map<string, string>,
    byId: Map<
      string,
      {
        id: string;
        number: number;
        title: string;
        status: string;
        eta_at: number | null;
        signature_json: string | null;
      }
    >,
    settings: ProblemSettings,
  ) {
    const ws = this.opts.workspaceId;
    const links: LinkRow[] = [];
    const added = new Map<string, number>();
    const acks: { problemId: string; caseId: string; customerId: string; at: number }[] = [];
    for (const d of decisions) {
      switch (d.type) {
        case 'raise': {
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
          const title = problemTitle(d.kind, d.topic, d.area, d.terms, team);
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
              signature: { keys: d.keys, terms: d.terms, teamId: d.teamId, human: false },
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
          await queueEscalations(trx, ws, row.id, 'problem.opened', now);
          this.changed.add(row.id);
          break;
        }
        case 'link': {
          const m = d.member;
          if (!m.caseId) break;
          if (linked.get(m.caseId) === d.problemId) break;
          const wasLinked = linked.has(m.caseId);
          linked.set(m.caseId, d.problemId);
          links.push({
            problemId: d.problemId,
            caseId: m.caseId,
            customerId: m.customerId,
            source: 'auto',
            linkedAt: m.at,
          });
          added.set(d.problemId, (added.get(d.problemId) ?? 0) + 1);
          if (d.reason === 'arrival' && !wasLinked)
            acks.push({
              problemId: d.problemId,
              caseId: m.caseId,
              customerId: m.customerId,
              at: m.at,
            });
          break;
        }
        case 'own': {
          const p = byId.get(d.problemId);
          if (!p) break;
          const sig = signatureOf(p);
          if (!sig.keys.includes(d.key)) sig.keys.push(d.key);
          await trx
            .updateTable('problems')
            .set({ signature_json: JSON.stringify(sig), updated_at: now })
            .where('id', '=', d.problemId)
            .execute();
          p.signature_json = JSON.stringify(sig);
          await problemEvent(trx, ws, d.problemId, 'merged_detection', { key: d.key }, { now });
          break;
        }
        case 'refine': {
          const p = byId.get(d.problemId);
          if (!p) break;
          const sig = signatureOf(p);
          if (!sig.keys.includes(d.key)) sig.keys.push(d.key);
          p.signature_json = JSON.stringify(sig);
          const row = await trx
            .selectFrom('problems')
            .select(['kind', 'topic'])
            .where('id', '=', d.problemId)
            .executeTakeFirstOrThrow();
          await trx
            .updateTable('problems')
            .set({
              area_json: JSON.stringify(d.area),
              area_key: d.areaKey,
              signature_json: p.signature_json,
              title: problemTitle(row.kind as 'area', row.topic, d.area, []),
              updated_at: now,
            })
            .where('id', '=', d.problemId)
            .execute();
          await problemEvent(
            trx,
            ws,
            d.problemId,
            'area_refined',
            { area: d.area },
            { now, eventAt: d.at },
          );
          this.changed.add(d.problemId);
          break;
        }
        case 'confirm':
        case 'verify':
        case 'expire': {
          const to =
            d.type === 'confirm' ? 'confirmed' : d.type === 'verify' ? 'verified' : 'closed';
          await trx
            .updateTable('problems')
            .set({
              status: to,
              updated_at: now,
              version: sqlBump(),
              ...(to === 'closed' ? { closed_at: d.at } : {}),
            })
            .where('id', '=', d.problemId)
            .execute();
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
          if (d.type !== 'confirm')
            await queueEscalations(trx, ws, d.problemId, `problem.${to}`, now);
          this.changed.add(d.problemId);
          break;
        }
      }
    }
    if (links.length > 0) await insertLinks(trx, ws, links, now);
    if (added.size > 0) await refreshCounts(trx, added, now);
    for (const id of added.keys()) this.changed.add(id);

    // Informed acknowledgement for complaints linked on arrival: a suggestion on the case, or
    // sent through the outbox when the admin turned that on.
    for (const a of acks) {
      const p = byId.get(a.problemId);
      if (!p) continue;
      const text = fill(settings.acknowledgementTemplate, {
        title: p.title,
        status: p.status,
        eta: p.eta_at
          ? ` Next update by ${new Date(p.eta_at).toISOString().slice(11, 16)} UTC.`
          : '',
      });
      caseEvents.push({
        caseId: a.caseId,
        type: 'problem_linked',
        data: {
          problemId: a.problemId,
          number: p.number,
          suggestedReply: text,
          autoSent: settings.autoAcknowledge,
        },
        eventAt: a.at,
      });
      if (settings.autoAcknowledge) {
        await queueNotifications(
          trx,
          ws,
          a.problemId,
          `ack:${a.problemId}`,
          text,
          [{ case_id: a.caseId, customer_id: a.customerId }],
          now,
        );
      }
    }
  }

  /**
   * A customer answered a fix with "still broken": the case stays open (the thread stage
   * reopened it), its pending auto-resolve is cancelled, and the problem gets the evidence;
   * enough distinct customers reopen the problem itself.
   */
  private async recordStillBroken(
    trx: Kysely<DB>,
    now: number,
    reports: { problemId: string; item: Input }[],
    settings: ProblemSettings,
  ) {
    const ws = this.opts.workspaceId;
    for (const { problemId, item } of reports) {
      await trx
        .updateTable('problem_links')
        .set({ resolve_due_at: null })
        .where('problem_id', '=', problemId)
        .where('case_id', '=', item.caseId!)
        .execute();
      await problemEvent(
        trx,
        ws,
        problemId,
        'still_broken',
        {
          caseId: item.caseId,
          customerId: item.customerId,
          channel: item.channel,
          externalId: item.externalId,
        },
        { now, eventAt: item.at },
      );
      const row = await trx
        .updateTable('problems')
        .set({ still_broken_count: sqlInc(), updated_at: now })
        .where('id', '=', problemId)
        .returning(['still_broken_count', 'status'])
        .executeTakeFirst();
      if (
        row &&
        Number(row.still_broken_count) >= settings.reopenAfterStillBroken &&
        (row.status === 'fixed' || row.status === 'verified')
      ) {
        await trx
          .updateTable('problems')
          .set({ status: 'fixing', fixed_at: null, version: sqlBump() })
          .where('id', '=', problemId)
          .execute();
        await problemEvent(
          trx,
          ws,
          problemId,
          'status_changed',
          { to: 'fixing', why: 'customers report it is still broken' },
          { now, eventAt: item.at },
        );
        await queueEscalations(trx, ws, problemId, 'problem.reopened', now);
      }
      this.changed.add(problemId);
    }
  }
}

/** The team owning each case's queue (the batch's routing decision first, else storage). */
async function teamsOfCases(
  trx: Kysely<DB>,
  ws: string,
  items: Input[],
): Promise<Map<string, string>> {
  const queueOf = new Map<string, string>();
  const missing: string[] = [];
  for (const i of items) {
    if (!i.caseId) continue;
    if (i.queueId) queueOf.set(i.caseId, i.queueId);
    else missing.push(i.caseId);
  }
  if (missing.length > 0) {
    const rows = await trx
      .selectFrom('cases')
      .select(['id', 'queue_id'])
      .where('workspace_id', '=', ws)
      .where('id', 'in', missing)
      .execute();
    for (const r of rows) if (r.queue_id) queueOf.set(r.id, r.queue_id);
  }
  const queueIds = [...new Set(queueOf.values())];
  const teamOf = new Map<string, string>();
  if (queueIds.length > 0) {
    const qs = await trx
      .selectFrom('queues')
      .select(['id', 'team_id'])
      .where('workspace_id', '=', ws)
      .where('id', 'in', queueIds)
      .execute();
    for (const q of qs) if (q.team_id) teamOf.set(q.id, q.team_id);
  }
  const out = new Map<string, string>();
  for (const [c, q] of queueOf) {
    const t = teamOf.get(q);
    if (t) out.set(c, t);
  }
  return out;
}

function sqlBump() {
  return sql<number>`version + 1`;
}
function sqlInc() {
  return sql<number>`still_broken_count + 1`;
}

function isStillBroken(tri: TriageResult | null, text: string): boolean {
  return STILL_BROKEN.test(text) || (!!tri?.complaint && tri.sentiment < 0);
}
