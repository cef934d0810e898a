import type { Kysely } from 'kysely';
import type { BatchState, StageContext } from '../ingest/pipeline/types.js';
import { shareCaseWrites } from '../platform/db/case-writes-lock.js';
import type { DB } from '../platform/db/schema.js';
import { applyDecisions } from './apply-decisions.js';
import { writeCaseHistory } from './case-history.js';
import { caseLinks } from './case-links.js';
import type { DetectorConfig } from './detector/config.js';
import type { Decision, Detector, ProcessSignal } from './detector/detector.js';
import { type DetectorInput, teamsOfCases, warmDetector } from './detector-input.js';
import { eventClockAt, recordEventClock } from './event-clock.js';
import { existedBy, HistoryLane, raisedIn } from './history-lane.js';
import { advanceIdle } from './idle-time.js';
import type { DetectorLeadership } from './leader.js';
import { PeerScan } from './peer-scan.js';
import {
  DEFAULT_PROBLEM_SETTINGS,
  loadProblemSettings,
  type ProblemSettings,
} from './problem.settings.js';
import { openProblems, toView } from './problem.store.js';
import { stillBrokenArrivals, stillBrokenReply } from './still-broken.arrivals.js';
import { recordStillBroken } from './still-broken.js';

type ProblemRow = Awaited<ReturnType<typeof openProblems>>[number];

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
  /** Shared database: what the other nodes stored for the detector (`detector_backlog`). */
  private readonly peers = new PeerScan();
  /** A batch ran through the detector but has not (yet) committed. */
  private uncommitted = false;
  /**
   * What this detector last wrote to `detector_clock` (a rebuilt one, after a rolled-back batch
   * among others, writes again).
   */
  private clock: { det: Detector | null; at: number } = { det: null, at: 0 };
  private changed = new Set<string>();
  /** History that arrives after later traffic has a detector of its own time. */
  private readonly history = new HistoryLane();

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

  /**
   * This node runs the workers (it catches up on what other nodes hold for the detector), so a
   * process signal may make it the detector when no node is; a node serving only the API must
   * not become it that way (`observeProcess`).
   */
  mayLead = false;

  /** Where this node's detector stands in event time; null while it is not built. */
  get detectorNow(): number | null {
    return this.detector?.now ?? null;
  }

  /** Forget the in-memory state (next batch rebuilds it from storage). */
  reset(): void {
    this.dropState();
  }

  /**
   * Both detectors go (rebuilt from storage when next needed). The problems the history
   * detector raised stay out of the live one's sight unless the state was another node's.
   */
  private dropState(otherNode = false): void {
    this.detector = null;
    if (otherNode) this.history.drop();
    else this.history.detector = null;
  }

  /** Several nodes write to the database: a batch locks the open problems it decides on. */
  private get locksRows(): boolean {
    return !!this.opts.leadership?.shared;
  }

  /**
   * Where writers run concurrently, the batch locks the open problems before any stage touches
   * a case: a person's change takes the problem and then its cases, so the batch must not take
   * cases first (that order deadlocked). Then its decisions are written over what it read.
   */
  async prepare(ctx: StageContext): Promise<void> {
    if (this.locksRows && this.opts.leadership?.isLeader)
      await openProblems(ctx.trx, this.opts.workspaceId, true);
  }

  async run(batch: BatchState, ctx: StageContext): Promise<void> {
    const items = batch.items.filter(
      (i) => i.msg && !i.rejected && !i.duplicate && i.direction === 'in' && i.customerId,
    );
    const lead = this.opts.leadership;
    if (items.length === 0 && !lead?.shared) return;
    if (!(await this.lead())) {
      // Another node detects: its next look (or whoever detects next) takes these from storage.
      await this.peers.hold(
        ctx.trx,
        this.opts.workspaceId,
        items.map((i) => ({
          channel: i.msg!.channel,
          externalId: i.msg!.externalId,
          seq: i.seq,
          at: i.sentAt,
          reopened: i.caseAction === 'reopened',
        })),
      );
      return;
    }
    const inputs: DetectorInput[] = items.map((item) => ({
      ref: `${item.msg!.channel}\u0000${item.msg!.externalId}`,
      channel: item.msg!.channel,
      externalId: item.msg!.externalId,
      at: item.sentAt,
      receivedAt: item.receivedAt,
      customerId: item.customerId!,
      caseId: item.caseId,
      address: item.msg!.author.id,
      triage: item.triage,
      text: item.text,
      reopened: item.caseAction === 'reopened',
      queueId: item.caseId ? (batch.cases.get(item.caseId)?.queueId ?? null) : null,
    }));
    await this.process(ctx.trx, ctx.now, batch.caseEvents, inputs, false, batch.cases);
  }

  /**
   * Rebuilds the detector from stored recent history without re-deciding anything: up to `at`
   * (the batch's first event), else up to the latest message held for the detector, else up to
   * where event time stood (`detector_clock`; a replayed day is not today), else now.
   * Messages other nodes held for the detector are left out; they are decided on next.
   */
  private async warm(trx: Kysely<DB>, at: number | null, now: number): Promise<Detector> {
    const ws = this.opts.workspaceId;
    const held = this.opts.leadership?.shared
      ? await this.peers.waiting(trx, ws)
      : { refs: new Set<string>(), latest: null };
    const upTo = at ?? held.latest ?? (await eventClockAt(trx, ws)) ?? now;
    return warmDetector(trx, ws, upTo, this.opts.config, this.opts.warmupDays, 5_000, held.refs);
  }

  /**
   * On a shared database: detection happens on the leader only, which also reads what the
   * other nodes' pipelines held for it (the ProblemWorker's timer calls this when the leader
   * itself has no batches; a replay calls it until what it appended has been seen). `idle`:
   * the problem worker's timer, on any database: time passes on a quiet live desk too.
   */
  async catchUp(db: Kysely<DB>, now: number, idle = false): Promise<void> {
    if ((!this.opts.leadership?.shared && !idle) || !(await this.lead())) return;
    await this.settled();
    const caseEvents: BatchState['caseEvents'] = [];
    await db.transaction().execute(async (trx) => {
      await shareCaseWrites(trx); // before any row lock: case-writes-lock.ts
      await this.process(trx, now, caseEvents, [], idle);
      await writeCaseHistory(trx, this.opts.workspaceId, caseEvents, now);
    });
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
      this.dropState(true);
      return false;
    }
    if (lead.term !== this.term) {
      this.term = lead.term;
      this.dropState(true);
    }
    return true;
  }

  private async process(
    trx: Kysely<DB>,
    now: number,
    caseEvents: BatchState['caseEvents'],
    own: DetectorInput[],
    idle = false,
    cases?: BatchState['cases'],
  ): Promise<void> {
    const ws = this.opts.workspaceId;
    const shared = !!this.opts.leadership?.shared;
    if (this.uncommitted) this.dropState();
    this.changed.clear();
    this.uncommitted = true;
    const rows = await openProblems(trx, ws, this.locksRows);
    const byId = new Map(rows.map((r) => [r.id, r]));
    const views = rows.map(toView);
    if (!this.detector) this.detector = await this.warm(trx, own[0]?.at ?? null, now);
    const wallNow = Date.now();
    // History that caught up with the live time (or went idle within its windows) is handed
    // over: the live detector is rebuilt from storage, which holds that history now.
    const rebuildAt = this.history.settle(this.detector, wallNow);
    if (rebuildAt !== null) this.detector = await this.warm(trx, rebuildAt, now);
    const det = this.detector;
    // Messages other nodes stored for the detector (a shared database only).
    const inputs: DetectorInput[] = shared ? await this.peers.read(trx, ws) : [];
    inputs.push(...own);
    const plan = this.history.plan(det, inputs, wallNow);
    if (plan.kind === 'build') {
      // Up to the first late message; this batch's own messages are not stored yet.
      this.history.detector = await warmDetector(
        trx,
        ws,
        plan.at - 1,
        this.opts.config,
        this.opts.warmupDays,
      );
    }
    // Only a detector that has seen nothing yet needs its batch's first message (`existedBy`).
    let firstAt: number | null = null;
    if (det.now <= 0)
      for (const i of inputs) if (firstAt === null || i.at < firstAt) firstAt = i.at;
    det.syncProblems(existedBy(det, this.history.liveViews(views), firstAt));
    // No message: on a live desk the detector still moves on to now and ticks (idle-time.ts).
    if (inputs.length === 0 && !(idle && (await advanceIdle(trx, ws, det, now)))) return;
    const lanes: { det: Detector; items: DetectorInput[]; live: boolean }[] = [];
    if (plan.kind === 'build' || plan.kind === 'reuse') {
      const hist = this.history.detector!;
      hist.syncProblems(this.history.historyViews(views));
      if (plan.caughtUp) {
        // The history reached the live time: it takes the whole batch, in event order (it
        // hands over before the next one), and the desk is live again at the later time.
        const all = [...plan.past, ...plan.present].sort((a, b) => a.at - b.at);
        lanes.push({ det: hist, items: all, live: true });
      } else {
        lanes.push({ det: hist, items: plan.past, live: false });
        if (plan.present.length > 0) lanes.push({ det, items: plan.present, live: true });
      }
    } else {
      lanes.push({ det, items: inputs, live: true });
    }
    const settings = { value: null as ProblemSettings | null };
    for (const lane of lanes)
      await this.detect(trx, now, caseEvents, lane, own, byId, settings, cases);
  }

  /**
   * Runs one detector over its share of the batch (in event order) and writes its decisions:
   * the live detector, or the history detector (`history-lane.ts`), whose decisions are history.
   */
  private async detect(
    trx: Kysely<DB>,
    now: number,
    caseEvents: BatchState['caseEvents'],
    lane: { det: Detector; items: DetectorInput[]; live: boolean },
    own: DetectorInput[],
    byId: Map<string, ProblemRow>,
    settings: { value: ProblemSettings | null },
    cases?: BatchState['cases'],
  ): Promise<void> {
    const ws = this.opts.workspaceId;
    const { det, items: inputs } = lane;
    const { linked, unlinked } = await caseLinks(trx, ws, inputs, byId, det);

    const decisions: Decision[] = [];
    const stillBroken: { problemId: string; fixedAt: number; item: DetectorInput }[] = [];
    const repeats: DetectorInput[] = [];
    for (const item of inputs) {
      const tri = item.triage;
      // A customer coming back about the same need (their resolved case reopened by it).
      if (item.reopened && tri?.complaint && item.caseId) repeats.push(item);
      const already = item.caseId ? linked.get(item.caseId) : undefined;
      const p = already ? byId.get(already) : undefined;
      if (p?.fixed_event_at != null && (await stillBrokenReply(trx, p, item, det.config))) {
        stillBroken.push({ problemId: p.id, fixedAt: p.fixed_event_at, item });
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
        ...det.tickDue(),
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
    // New cases linked to a fixed problem that say it is still broken (still-broken.arrivals.ts).
    const arrivals = await stillBrokenArrivals(trx, decisions, inputs, linked, byId, det.config);
    stillBroken.push(...arrivals.reports);
    // Where event time stands, for what people do meanwhile (event-clock.ts): paired with when
    // the stream's newest message reached the desk (a backlog processed late is still live).
    // Written only when it moved (not one more statement per batch of late messages). The
    // history detector stands behind it and writes it only once it caught up: then at the
    // later of the two detectors' times (a breach may have moved the live one on meanwhile).
    const clockAt = Math.max(det.now, this.detector?.now ?? det.now);
    if (lane.live && (det !== this.clock.det || clockAt > this.clock.at)) {
      let newest: DetectorInput | null = null;
      for (const i of own) if (!newest || i.at > newest.at) newest = i;
      await recordEventClock(trx, ws, clockAt, newest?.receivedAt ?? now);
      this.clock = { det, at: clockAt };
    }
    if (det === this.history.detector) this.history.noteRaised(raisedIn(decisions));
    // The cases this lane's messages went to; this node's own messages are stored after
    // detection, so the counters add them (`refreshCounts`).
    const mine = new Set(own);
    const batchCases = new Map<string, number>();
    for (const item of inputs) {
      if (!item.caseId) continue;
      batchCases.set(item.caseId, (batchCases.get(item.caseId) ?? 0) + (mine.has(item) ? 1 : 0));
    }
    const countsChange = [...batchCases.keys()].some((c) => linked.has(c));
    if (decisions.length === 0 && stillBroken.length === 0 && !countsChange) return;
    settings.value ??= await loadProblemSettings(trx, ws).catch(() => DEFAULT_PROBLEM_SETTINGS);
    await applyDecisions(
      trx,
      ws,
      now,
      caseEvents,
      decisions,
      linked,
      byId,
      settings.value,
      this.changed,
      det.config.topicSettleMs,
      unlinked,
      batchCases,
      det.now,
      { noFixedAck: arrivals.noFixedAck, cases },
    );
    if (stillBroken.length > 0)
      await recordStillBroken(trx, ws, now, stillBroken, settings.value, this.changed, {
        cases,
        caseEvents,
      });
  }

  /**
   * Process signals from care core (a broken promise, an SLA breach), fed through the app's
   * live bus by `subscribeProcessSignals`: counted per team in event time (the deadline that
   * passed) and raised as a process problem when they spike. One transaction per signal batch.
   */
  async observeProcess(db: Kysely<DB>, now: number, signals: ProcessSignal[]): Promise<void> {
    if (signals.length === 0) return;
    // Care core's events reach every node (the bus crosses nodes), so the detecting node gets
    // them too. Only a node that detects, or runs the workers, takes them: a node serving only
    // the API (no pipeline, no catch-up timer) that became the detector through them would
    // leave what the pipeline nodes hold for the detector (`detector_backlog`) unread for ever.
    const lead = this.opts.leadership;
    if (lead?.shared && !lead.isLeader && !this.mayLead) return;
    if (!(await this.lead())) return;
    await this.settled();
    const ws = this.opts.workspaceId;
    await db.transaction().execute(async (trx) => {
      await shareCaseWrites(trx); // before any row lock: case-writes-lock.ts
      if (this.uncommitted) this.dropState();
      const rows = await openProblems(trx, ws, this.locksRows);
      const byId = new Map(rows.map((r) => [r.id, r]));
      // Built up to where event time stood, not the signal's time: a breach is often due hours
      // before the traffic the detector has to know (overdue clocks at start-up).
      if (!this.detector) this.detector = await this.warm(trx, null, now);
      const det = this.detector;
      det.syncProblems(existedBy(det, this.history.liveViews(rows.map(toView))));
      const { linked, unlinked } = await caseLinks(trx, ws, signals, byId, det);
      const decisions: Decision[] = [];
      for (const s of signals) decisions.push(...det.observeProcess(s));
      if (decisions.length === 0) return;
      this.uncommitted = true;
      const settings = await loadProblemSettings(trx, ws).catch(() => DEFAULT_PROBLEM_SETTINGS);
      const caseEvents: BatchState['caseEvents'] = [];
      await applyDecisions(
        trx,
        ws,
        now,
        caseEvents,
        decisions,
        linked,
        byId,
        settings,
        this.changed,
        det.config.topicSettleMs,
        unlinked,
        new Map(),
        det.now,
      );
      await writeCaseHistory(trx, ws, caseEvents, now);
    });
    this.committed();
  }
}
