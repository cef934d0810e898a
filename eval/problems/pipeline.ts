import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { InboundMessage } from '../../src/ingest/inbound.schema.js';
import { ingestStream } from '../../src/ingest/ingest-stream.js';
import { type SimIncident, simulate } from '../../src/simulate/index.js';
import { type RunMetrics, type ScoredMessage, type ScoredProblem, score } from './metrics.js';

/**
 * The same scenario through the whole product: every simulated message (agent replies too) is
 * replayed into a fresh embedded-SQLite app through the inbound log and the real pipeline
 * (identify, classify with the installation's triage, thread, route, detect, persist), then
 * the problems and their case links are read back from the database and scored with the same
 * ground truth as the in-memory run. Cases here are the thread stage's, not approximations.
 */
export async function runThroughPipeline(seed: number, days: number): Promise<RunMetrics> {
  const dir = mkdtempSync(join(tmpdir(), 'throughline-eval-'));
  try {
    const incidents: SimIncident[] = [];
    const messages: InboundMessage[] = [];
    const truth = new Map<
      string,
      { incidentId: string | null; complaint: boolean; customerKey: string; at: number }
    >();
    for (const e of simulate({ scenario: 'week', seed, days })) {
      if (e.type === 'incident') {
        incidents.push(e.incident);
        continue;
      }
      messages.push(e.message);
      if (e.message.direction === 'in')
        truth.set(`${e.message.channel}\u0000${e.message.externalId}`, {
          incidentId: e.truth.incidentId ?? null,
          complaint: e.truth.complaint,
          customerKey: e.truth.customerKey,
          at: Date.parse(e.message.sentAt),
        });
    }
    const base = loadConfig({
      THROUGHLINE_DATABASE_URL: `sqlite:${join(dir, 'eval.db')}`,
      LOG_LEVEL: 'silent',
      THROUGHLINE_DEMO: 'false',
    });
    let now = Date.parse(messages[0].sentAt);
    const app = await buildApp({
      config: {
        ...base,
        sqliteSynchronous: 'NORMAL',
        pipeline: { ...base.pipeline, workers: false },
      },
      clock: () => now,
    });
    await app.start({ listen: false });
    try {
      const ws = app.workspace.workspaceId;
      // Wall time follows event time chunk by chunk, as a live system's would.
      const CHUNK = 500;
      for (let i = 0; i < messages.length; i += CHUNK) {
        const chunk = messages.slice(i, i + CHUNK);
        now = Date.parse(chunk[chunk.length - 1].sentAt);
        await ingestStream(chunk, {
          database: app.database,
          workspaceId: ws,
          pipeline: app.pipeline,
          clock: () => now,
        });
      }
      const db = app.database.db;
      const problemRows = await db
        .selectFrom('problems')
        .select(['id', 'topic', 'area_json', 'detected_at'])
        .where('workspace_id', '=', ws)
        .execute();
      const problems: ScoredProblem[] = problemRows.map((p) => ({
        id: p.id,
        topic: p.topic,
        area: p.area_json ? JSON.parse(p.area_json) : null,
        detectedAt: Number(p.detected_at),
      }));
      const links = await db
        .selectFrom('problem_links')
        .select(['case_id', 'problem_id', 'linked_at'])
        .where('workspace_id', '=', ws)
        .where('unlinked_at', 'is', null)
        .orderBy('linked_at')
        .execute();
      const caseProblem = new Map<string, string>();
      for (const l of links)
        if (!caseProblem.has(l.case_id)) caseProblem.set(l.case_id, l.problem_id);
      const rows = await db
        .selectFrom('messages')
        .select(['channel', 'external_id', 'case_id'])
        .where('workspace_id', '=', ws)
        .where('direction', '=', 'in')
        .execute();
      const scored: ScoredMessage[] = [];
      for (const r of rows) {
        const t = truth.get(`${r.channel}\u0000${r.external_id}`);
        if (!t) continue;
        scored.push({
          ref: `${r.channel}:${r.external_id}`,
          at: t.at,
          incidentId: t.incidentId,
          complaint: t.complaint,
          customerKey: t.customerKey,
          problemId: r.case_id ? (caseProblem.get(r.case_id) ?? null) : null,
        });
      }
      return score(incidents, scored, problems, days);
    } finally {
      await app.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
