/**
 * The installation's triage: the shipped model fine-tuned on every stored agent correction by
 * applyCorrections (corrections.ts; deterministic, so every node that replays the same corrections
 * gets the same weights and nothing but the corrections needs storing). Rebuilt after each correction;
 * `refresh` lets another node catch up with corrections made elsewhere.
 */
import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { applyCorrectionsYielding } from './corrections.js';
import {
  correctionsForTraining,
  insertModelVersion,
  listModelVersions,
  type ModelVersionRow,
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
  private version: ModelVersionRow | null = null;
  private chain: Promise<unknown> = Promise.resolve();
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

  /** Rebuilds only when corrections were stored since the last build (e.g. by another node). */
  refresh(): Promise<ModelVersionRow> {
    return this.serial(async () => {
      const latest = await this.deps.db
        .selectFrom('triage_corrections')
        .select('id')
        .where('workspace_id', '=', this.deps.workspaceId)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      if (this.version && (latest?.id ?? null) === this.builtFrom) return this.version;
      return this.build();
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async build(): Promise<ModelVersionRow> {
    const { db, workspaceId, clock } = this.deps;
    const { corrections, lastId } = await correctionsForTraining(db, workspaceId, MAX_CORRECTIONS);
    const model =
      corrections.length === 0
        ? { ...this.base }
        : await applyCorrectionsYielding({ ...this.base, corrections: 0 }, corrections);
    const version = `${this.base.version}+${corrections.length}c`;
    model.version = version;
    this.current = createTriage(model);
    this.builtFrom = lastId;
    const [stored] = await listModelVersions(db, workspaceId, 1);
    if (stored && stored.lastCorrectionId === lastId && stored.baseVersion === this.base.version) {
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
