/**
 * The model a desk's pipeline classifies with, for `throughline classify` run against that desk
 * (THROUGHLINE_DATABASE_URL set): the shipped model with the desk's stored agent corrections
 * applied, as the pipeline's `InstallationTriage` builds it. Read only: unlike the pipeline, it
 * records no model version. Without a desk, `classify` answers with the shipped model.
 */
import { existsSync } from 'node:fs';
import { openDatabase } from '../platform/db/database.js';
import { DEFAULT_WORKSPACE_ID } from '../workspace/workspace.service.js';
import { applyCorrectionsYielding } from './corrections.js';
import { correctionsForTraining, modelVersionName } from './corrections.queries.js';
import { createTriage, loadShippedModel, type Triage } from './index.js';
import { MAX_CORRECTIONS } from './installation.js';

export async function deskTriage(url: string): Promise<{ triage: Triage; version: string }> {
  const file = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : null;
  if (file !== null && (file === ':memory:' || !existsSync(file)))
    throw new Error(
      `no desk at ${file}: the database file does not exist (unset THROUGHLINE_DATABASE_URL to classify with the shipped model)`,
    );
  const database = openDatabase(url);
  try {
    const { corrections, lastId } = await correctionsForTraining(
      database.db,
      DEFAULT_WORKSPACE_ID,
      MAX_CORRECTIONS,
    );
    const base = loadShippedModel();
    const model =
      corrections.length === 0
        ? { ...base }
        : await applyCorrectionsYielding({ ...base, corrections: 0 }, corrections);
    // The same name the desk's model has (GET /api/v1/triage/model).
    model.version = modelVersionName(base.version, corrections.length, lastId);
    return { triage: createTriage(model), version: model.version };
  } finally {
    await database.close();
  }
}
