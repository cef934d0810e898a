/**
 * The installation's triage: the shipped model fine-tuned on every stored agent correction by
 * applyCorrections (corrections.ts; deterministic, so every node that replays the same corrections
 * gets the same weights and nothing but the corrections needs storing). Rebuilt after each correction;
 * `refresh` (and `watch`, its timer) lets a node catch up with corrections made or erased
 * elsewhere.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { applyCorrectionsYielding } from './corrections.js';
import {
  correctionsForTraining,
  insertModelVersion,
  listModelVersions,
  type ModelVersionRow,
  modelVersionName,
} from './corrections.queries.js';
import { createTriage, loadShippedModel, type Triage } from './index.js';
import type { TriageModel } from './model.js';
import type { TriageInput, TriageResult } from './types.js';

/** Newest corrections replayed per rebuild; bounds rebuild time (under a second at 5,000, README). */
export const MAX_CORRECTIONS = 5000;

export interface InstallationTriageDeps {
  db: Kysely<DB>;
  workspaceId: string;
  clock: () => number;
  /** The model corrections are applied to; the shipped one by default. */
  base?: TriageModel;
}

export class InstallationTriage {
  private current: Triage;
  private builtFrom: string | null = null;
  /** How many corrections were stored at the last build (all, not only the newest used). */
  private builtCount = 0;
  private version: ModelVersionRow | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private watcher: NodeJS.Timeout | null = null;
  private readonly base: TriageModel;

  constructor(private readonly deps: InstallationTriageDeps) {
    this.base = deps.base ?? loadShippedModel();
    this.current = createTriage(this.base);
  }

  /** The pipeline's classify stage calls this: synchronous, on the current model. */
  readonly classify = (input: TriageInput): TriageResult => this.current.classify(input);

  get model(): TriageModel {
    return this.current.model;
  }

  get baseVersion(): string {
    return this.base.version;
  }

  /** The stored version the current model corresponds to (null before the first load). */
  get currentVersion(): ModelVersionRow | null {
    return this.version;
  }

  /** Loads the stored corrections at start; records a model version when they changed. */
  load(): Promise<ModelVersionRow> {
    return this.serial(() => this.build());
  }

  /** Rebuilds from every stored correction; call after storing one. */
  rebuild(): Promise<ModelVersionRow> {
    return this.serial(() => this.build());
  }

  /**
   * Rebuilds only when the stored corrections changed since the last build: stored by another
   * node, or removed with an erased customer's messages (by the CLI or the retention job).
   */
  refresh(): Promise<ModelVersionRow> {
    return this.serial(async () => {
      const now = await this.stored();
      if (this.version && now.latest === this.builtFrom && now.n === this.builtCount)
        return this.version;
      return this.build();
    });
  }

  /** The newest stored correction and how many there are (what a build learned from). */
  private async stored(): Promise<{ latest: string | null; n: number }> {
    const row = await this.deps.db
      .selectFrom('triage_corrections')
      .select((eb) => [eb.fn.max('id').as('latest'), eb.fn.countAll<number>().as('n')])
      .where('workspace_id', '=', this.deps.workspaceId)
      .executeTakeFirstOrThrow();
    return { latest: (row.latest as string | null) ?? null, n: Number(row.n) };
  }

  /**
   * Checks every `everyMs` whether the stored corrections changed behind this node's back and
   * rebuilds if so (`refresh`): corrections stored on another node, or deleted with a customer
   * the CLI or the retention job erased, where no route of this process was called. One indexed
   * max-and-count per check; a failed check (database away) is tried again at the next tick.
   */
  watch(everyMs: number, onError: (err: Error) => void = () => {}): void {
    if (this.watcher) return;
    this.watcher = setInterval(() => {
      this.refresh().catch(onError);
    }, everyMs);
    this.watcher.unref();
  }

  stopWatching(): void {
    if (this.watcher) clearInterval(this.watcher);
    this.watcher = null;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async build(): Promise<ModelVersionRow> {
    const { db, workspaceId, clock } = this.deps;
    const state = await this.stored();
    const { corrections, lastId } = await correctionsForTraining(db, workspaceId, MAX_CORRECTIONS);
    const model =
      corrections.length === 0
        ? { ...this.base }
        : await applyCorrectionsYielding({ ...this.base, corrections: 0 }, corrections);
    const version = modelVersionName(this.base.version, corrections.length, lastId);
    model.version = version;
    this.current = createTriage(model);
    this.builtFrom = state.latest;
    this.builtCount = state.n;
    const [stored] = await listModelVersions(db, workspaceId, 1);
    if (stored && stored.version === version && stored.baseVersion === this.base.version) {
      this.version = stored;
    } else {
      this.version = await insertModelVersion(db, workspaceId, {
        version,
        baseVersion: this.base.version,
        corrections: corrections.length,
        lastCorrectionId: lastId,
        createdAt: clock(),
      });
    }
    return this.version;
  }
}
