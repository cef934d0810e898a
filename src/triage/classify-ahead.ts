import { Worker } from 'node:worker_threads';
import type { AheadAnswer, AheadRequest } from './classify-ahead.worker.js';
import type { TriageModel } from './model.js';
import type { TriageResult } from './types.js';

interface Request {
  id: number;
  first: number;
  last: number;
  done: Promise<void>;
}

/** How long the classify stage waits for the worker before classifying by itself. */
const WAIT_MS = 2000;

/**
 * Triage of the events the pipeline will take next, in a worker thread, while the current batch
 * is written: on a backlog the classify stage then finds its answers ready and the main thread
 * (which on SQLite also runs every statement) does not spend its time on triage. Purely an
 * optimisation with no effect on results: an answer is used only when it was computed on the
 * current model from the very payload the stage has, and anything missing, late or failed is
 * classified inline as before.
 */
export class ClassifyAhead {
  private worker: Worker | null = null;
  private broken = false;
  /** The thread has answered once: its modules and model are loaded. */
  private warm = false;
  private posted: TriageModel | null = null;
  private generation = 0;
  private nextId = 1;
  private inFlight: Request[] = [];
  private readonly resolvers = new Map<number, () => void>();
  /** seq → the payload sent for it, and its answer once the worker sent it. */
  private readonly sent = new Map<number, string>();
  private readonly answers = new Map<number, { generation: number; json: string }>();
  private readonly maxPending: number;

  constructor(
    /** The model the pipeline classifies with now (its identity changes when rebuilt). */
    private readonly model: () => TriageModel,
    opts: { maxPending?: number } = {},
  ) {
    this.maxPending = opts.maxPending ?? 20_000;
  }

  /** Starts classifying these logged events (seq, payload JSON) in the worker. */
  submit(events: { seq: number; payload_json: string }[]): void {
    if (events.length === 0 || this.broken) return;
    const worker = this.start();
    if (!worker) return;
    const model = this.model();
    if (model !== this.posted) {
      this.posted = model;
      this.generation++;
      this.send({ type: 'model', generation: this.generation, model });
    }
    const id = this.nextId++;
    let resolve!: () => void;
    const done = new Promise<void>((r) => {
      resolve = r;
    });
    this.resolvers.set(id, resolve);
    this.inFlight.push({ id, first: events[0].seq, last: events[events.length - 1].seq, done });
    for (const e of events) this.sent.set(e.seq, e.payload_json);
    this.trim();
    this.send({
      type: 'classify',
      id,
      generation: this.generation,
      events: events.map((e) => [e.seq, e.payload_json]),
    });
  }

  /** Waits (bounded) until no submitted request covering these seqs is still being worked on. */
  async settle(seqs: number[]): Promise<void> {
    // A thread still starting (loading its modules and the model takes seconds) is not waited
    // for: the stage is quicker classifying by itself meanwhile.
    if (!this.warm || seqs.length === 0 || this.inFlight.length === 0) return;
    let lo = seqs[0];
    let hi = seqs[0];
    for (const s of seqs) {
      if (s < lo) lo = s;
      if (s > hi) hi = s;
    }
    const waits = this.inFlight.filter((r) => r.first <= hi && r.last >= lo).map((r) => r.done);
    if (waits.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((r) => {
      timer = setTimeout(r, WAIT_MS);
    });
    await Promise.race([Promise.all(waits), late]);
    clearTimeout(timer);
  }

  /** Whether the worker's answer for event `seq` has arrived (and not been taken). */
  ready(seq: number): boolean {
    return this.answers.has(seq);
  }

  /**
   * The worker's answer for event `seq` if it classified this very payload on the current model
   * (it derives the input from the payload as normalise and classify do).
   */
  take(seq: number, payloadJson: string): TriageResult | undefined {
    const a = this.answers.get(seq);
    const sent = this.sent.get(seq);
    this.answers.delete(seq);
    this.sent.delete(seq);
    if (!a || sent !== payloadJson) return undefined;
    if (this.model() !== this.posted || a.generation !== this.generation) return undefined;
    return JSON.parse(a.json) as TriageResult;
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    this.broken = true;
    this.release();
    if (w) await w.terminate();
  }

  private start(): Worker | null {
    if (this.worker) return this.worker;
    try {
      // The sources are TypeScript run through tsx, whose loader is registered per thread.
      const api = import.meta.resolve('tsx/esm/api');
      const entry = new URL('./classify-ahead.worker.ts', import.meta.url).href;
      const w = new Worker(
        `import(${JSON.stringify(api)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`,
        { eval: true },
      );
      // An idle classifier must not keep the process alive.
      w.unref();
      w.on('message', (m: AheadAnswer) => this.receive(m));
      w.on('error', () => this.fail());
      w.on('exit', () => this.fail());
      this.worker = w;
      return w;
    } catch {
      this.fail();
      return null;
    }
  }

  private send(req: AheadRequest): void {
    this.worker?.postMessage(req);
  }

  private receive(m: AheadAnswer): void {
    this.warm = true;
    for (const [seq, json] of m.results) {
      if (this.sent.has(seq)) this.answers.set(seq, { generation: m.generation, json });
    }
    this.inFlight = this.inFlight.filter((r) => r.id !== m.id);
    this.resolvers.get(m.id)?.();
    this.resolvers.delete(m.id);
  }

  /** Events nobody took (taken by another node, parked) are forgotten oldest first. */
  private trim(): void {
    if (this.sent.size <= this.maxPending) return;
    for (const seq of this.sent.keys()) {
      this.sent.delete(seq);
      this.answers.delete(seq);
      if (this.sent.size <= this.maxPending) break;
    }
  }

  /** The worker is gone: classify inline from now on, and wake whoever waits. */
  private fail(): void {
    this.broken = true;
    this.warm = false;
    this.worker = null;
    this.release();
  }

  private release(): void {
    for (const r of this.resolvers.values()) r();
    this.resolvers.clear();
    this.inFlight = [];
  }
}
