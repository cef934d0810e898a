import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { InboundMessage } from '../../src/ingest/inbound.schema.js';
import { ingestStream } from '../../src/ingest/ingest-stream.js';
import { createApiToken } from '../../src/platform/auth/tokens.js';
import type { RealThreads } from './background.js';
import { type RunMetrics, type ScoredMessage, type ScoredProblem, score } from './metrics.js';
import {
  EvalClock,
  fixAndDeliver,
  measureNotifications,
  type NotifyMetrics,
  problemOfIncident,
} from './notify.js';
import { registerChannels, startProviders } from './providers.js';
import { buildRun } from './source.js';

export interface PipelineResult {
  metrics: RunMetrics;
  notify: NotifyMetrics;
  /** Incidents whose problem was marked fixed when they ended. */
  fixed: number;
  /** Wall seconds spent replaying and spent fixing plus delivering. */
  replaySeconds: number;
  deliverySeconds: number;
}

const CHUNK = 500;

/**
 * The same traffic through the whole product: every message (agent replies and real background
 * threads too) is replayed into a fresh embedded-SQLite app through the inbound log and the real
 * pipeline (identify, classify with the installation's triage, thread, route, detect, persist).
 * When an incident ends (event time), the owner team marks its problem fixed through the API and
 * the outbox delivers the notifications (notify.ts). Afterwards the problems and their case links
 * are read back from the database and scored with the same ground truth as the in-memory run.
 * Cases here are the thread stage's, not approximations.
 */
export async function runThroughPipeline(
  seed: number,
  days: number,
  real: RealThreads | null,
  opts: {
    fixes?: boolean;
    /** When in its incident the owner marks the problem fixed (0–1; 1, the end, by default). */
    fixAtShare?: number;
    inspect?: (app: App) => Promise<void>;
  } = {},
): Promise<PipelineResult> {
  const run = buildRun(seed, days, real);
  const dir = mkdtempSync(join(tmpdir(), 'throughline-eval-'));
  const providers = await startProviders();
  try {
    const clock = new EvalClock();
    clock.setEventTime(Date.parse(run.messages[0].message.sentAt));
    const base = loadConfig({
      THROUGHLINE_DATABASE_URL: `sqlite:${join(dir, 'eval.db')}`,
      LOG_LEVEL: 'silent',
      THROUGHLINE_DEMO: 'false',
      THROUGHLINE_WEBHOOK_SECRET: 'eval-webhook-secret-0123456789',
      THROUGHLINE_API_OUTBOUND_URL: `${providers.api.url}/outbound`,
      THROUGHLINE_WEBCHAT_OUTBOUND_URL: `${providers.api.url}/webchat`,
    });
    const app = await buildApp({
      config: {
        ...base,
        sqliteSynchronous: 'NORMAL',
        pipeline: { ...base.pipeline, workers: false },
      },
      clock: clock.now,
    });
    await app.start({ listen: false });
    try {
      const ws = app.workspace.workspaceId;
      const admin = await createApiToken(app.database.db, ws, 'eval admin', 'admin', clock.now());
      const channels = await registerChannels(
        app,
        { authorization: `Bearer ${admin.token}` },
        providers,
      );
      // The owner team's tool: its own token, the same status API people use.
      const owner = await createApiToken(
        app.database.db,
        ws,
        'owner team',
        'supervisor',
        clock.now(),
      );
      const ownerAuth = { authorization: `Bearer ${owner.token}` };

      const truth = new Map<string, Omit<ScoredMessage, 'ref' | 'problemId'>>();
      const incidentRefs = new Map<string, { channel: string; externalId: string }[]>();
      const messages: InboundMessage[] = [];
      for (const { message, truth: t } of run.messages) {
        // Messages of configured X and Meta channels carry the channel's id, as the webhooks do.
        const channelId =
          message.channel === 'x'
            ? channels.x
            : ['facebook', 'instagram', 'whatsapp'].includes(message.channel)
              ? channels.meta
              : undefined;
        messages.push(channelId ? { ...message, channelId } : message);
        if (message.direction === 'out') continue;
        truth.set(`${message.channel}\u0000${message.externalId}`, {
          at: Date.parse(message.sentAt),
          incidentId: t.incidentId,
          complaint: t.complaint,
          real: t.real,
          customerKey: t.customerKey,
        });
        if (t.incidentId) {
          const list = incidentRefs.get(t.incidentId) ?? [];
          list.push({ channel: message.channel, externalId: message.externalId });
          incidentRefs.set(t.incidentId, list);
        }
      }
      const ends = run.incidents
        .map((i) => {
          const start = Date.parse(i.start);
          const end = start + (Date.parse(i.end) - start) * (opts.fixAtShare ?? 1);
          return { id: i.id, end };
        })
        .sort((a, b) => a.end - b.end);

      let fixed = 0;
      let deliveryMs = 0;
      const wall0 = performance.now();
      let nextEnd = 0;
      let chunk: InboundMessage[] = [];
      const flush = async () => {
        if (chunk.length === 0) return;
        clock.setEventTime(Date.parse(chunk[chunk.length - 1].sentAt));
        await ingestStream(chunk, {
          database: app.database,
          workspaceId: ws,
          pipeline: app.pipeline,
          clock: clock.now,
        });
        chunk = [];
      };
      const fixEndedBefore = async (t: number) => {
        while (nextEnd < ends.length && ends[nextEnd].end <= t) {
          const e = ends[nextEnd++];
          await flush();
          const d0 = performance.now();
          if (opts.fixes === false) continue;
          const problemId = await problemOfIncident(app, incidentRefs.get(e.id) ?? []);
          if (problemId && (await fixAndDeliver(app, clock, ownerAuth, problemId, e.end))) fixed++;
          deliveryMs += performance.now() - d0;
        }
      };
      for (const m of messages) {
        await fixEndedBefore(Date.parse(m.sentAt));
        chunk.push(m);
        if (chunk.length >= CHUNK) await flush();
      }
      await flush();
      await fixEndedBefore(Number.POSITIVE_INFINITY);

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
          ...t,
          ref: `${r.channel}:${r.external_id}`,
          problemId: r.case_id ? (caseProblem.get(r.case_id) ?? null) : null,
        });
      }
      await opts.inspect?.(app);
      return {
        metrics: score(run.incidents, scored, problems, days),
        notify: await measureNotifications(app),
        fixed,
        replaySeconds: (performance.now() - wall0 - deliveryMs) / 1000,
        deliverySeconds: deliveryMs / 1000,
      };
    } finally {
      await app.close();
    }
  } finally {
    await providers.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
