import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import { accessRoutes } from './admin/access.routes.js';
import { adminRoutes } from './admin/admin.routes.js';
import { type Care, createCare } from './cases/care.module.js';
import { caseRoutes } from './cases/case.routes.js';
import { undoFailedReply } from './cases/reply.failed.js';
import { apiSender } from './channels/api/api.sender.js';
import { staffMailer } from './channels/email/email.staff.js';
import { type ChannelDeps, channelRoutes, channelSenders } from './channels/routes.js';
import type { Sender } from './channels/sender.js';
import { type Config, servedOverHttps } from './config.js';
import { enableDemoDelivery } from './demo/demo.sender.js';
import { inboundRoutes } from './ingest/inbound.routes.js';
import { PipelineWorker } from './ingest/pipeline/worker.js';
import { integrationRoutes } from './integrations/integration.routes.js';
import { auditHook } from './platform/audit/audit.hooks.js';
import { auditRoutes } from './platform/audit/audit.routes.js';
import { type Database, openDatabase } from './platform/db/database.js';
import { migrateToLatest } from './platform/db/migrate.js';
import { PipelineLease } from './platform/db/pipeline-lease.js';
import { authHook } from './platform/http/auth.js';
import { createHttpServer, type Http } from './platform/http/server.js';
import { systemRoutes } from './platform/http/system.routes.js';
import { OutboxWorker } from './platform/outbox/outbox.worker.js';
import { LiveBus } from './platform/realtime/bus.js';
import { startClusterSignals } from './platform/realtime/cluster.js';
import { resolveSecretKey } from './platform/secret-key.js';
import { privacyRoutes } from './privacy/privacy.routes.js';
import { RetentionJob } from './privacy/retention.js';
import { createProblems, type Problems } from './problems/index.js';
import { problemNotificationRoutes } from './problems/problem.notifications.js';
import { problemRoutes } from './problems/problem.routes.js';
import { ensureOwnerTeams } from './problems/problem.settings.js';
import { ClassifyAhead } from './triage/classify-ahead.js';
import type { TriageInput, TriageResult } from './triage/index.js';
import { InstallationTriage } from './triage/installation.js';
import { triageRoutes } from './triage/triage.routes.js';
import { ensureWorkspace, type WorkspaceInfo } from './workspace/workspace.service.js';

/**
 * How often a node checks whether the stored triage corrections changed elsewhere: cheap (one
 * indexed query), and an erased customer's words leave every node's model within half a minute.
 */
const TRIAGE_WATCH_MS = 30_000;

export interface AppDeps {
  config: Config;
  /** Test seam: how often the triage model checks for corrections changed elsewhere. */
  triageWatchMs?: number;
  logger?: Logger | false;
  /** Wall clock; tests may pin it. Event time always comes from the messages themselves. */
  clock?: () => number;
  classify?: (input: TriageInput) => TriageResult;
  /** Extra or replacement senders by channel kind (tests, channel adapters). */
  senders?: Map<string, Sender>;
  /** An already open database (tests share one per engine). */
  database?: Database;
  /** Test seam: called inside each pipeline batch after each stage (to hold a batch open). */
  afterStage?: (name: string) => void | Promise<void>;
  /**
   * False for a one-shot command (`commands/context.ts`): it never starts the app, so its HTTP
   * server is never booted. Closing a Fastify instance boots it first (every route's schemas
   * compiled), which cost each command half a second for nothing.
   */
  serves?: boolean;
}

export interface App {
  config: Config;
  http: Http;
  database: Database;
  workspace: WorkspaceInfo;
  pipeline: PipelineWorker;
  outbox: OutboxWorker;
  bus: LiveBus;
  /** The care core: assignment, scheduler (SLA, promises, auto-close). */
  care: Care;
  /** Outbound senders by channel kind, shared by the outbox and the problem notifier. */
  senders: Map<string, Sender>;
  /** Root-cause problems: the detector's runtime and leadership (`src/problems`). */
  problems: Problems;
  /** Erases closed cases' personal data after THROUGHLINE_RETENTION_DAYS (off at 0). */
  retention: RetentionJob;
  /** The shipped triage model with this installation's agent corrections. */
  triage: InstallationTriage;
  /** Starts the background workers and, unless `listen` is false, the HTTP server. Returns the URL. */
  start(opts?: { listen?: boolean }): Promise<string | null>;
  close(): Promise<void>;
}

/**
 * The composition root: opens storage, applies migrations, wires every feature with explicit
 * dependencies. No module-level singletons, so tests can build as many apps as they like.
 */
export async function buildApp(deps: AppDeps): Promise<App> {
  const { config } = deps;
  const logger = deps.logger ?? false;
  const clock = deps.clock ?? Date.now;
  const ownsDatabase = !deps.database;
  const database =
    deps.database ??
    openDatabase(config.databaseUrl, {
      sqliteSynchronous: config.sqliteSynchronous,
      onConnectionError: (err) => {
        if (logger) logger.warn({ err: err.message }, 'database connection ended by the server');
      },
    });
  await migrateToLatest(database);
  const workspace = await ensureWorkspace(database.db, clock());
  await ensureOwnerTeams(database.db, workspace.workspaceId, clock());
  // The shipped triage model plus this installation's agent corrections (src/triage).
  const triage = new InstallationTriage({
    db: database.db,
    workspaceId: workspace.workspaceId,
    clock,
  });
  await triage.load();
  const bus = new LiveBus();
  // Wake-ups reach this node's workers at once and, on PostgreSQL, the other nodes' too.
  const signals = await startClusterSignals(database, bus, {
    onInbound: () => pipeline.notify(),
    onOutbox: () => outbox.notify(),
  });
  const wakePipeline = () => {
    pipeline.notify();
    signals.inbound();
  };
  const wakeOutbox = () => {
    outbox.notify();
    signals.outbox();
  };
  const care = createCare({
    database,
    bus,
    clock,
    workspaceId: workspace.workspaceId,
    logger: logger || undefined,
    autoCloseMs: config.reopenWindowHours * 3_600_000,
    onOutbox: wakeOutbox,
    publicUrl: config.publicUrl,
  });

  // Tells one-shot commands (replay) that a live pipeline runs here (pipeline-lease.ts).
  const lease = new PipelineLease(database.db);
  const pipeline = new PipelineWorker({
    database,
    settings: {
      workspaceId: workspace.workspaceId,
      threadWindowMs: config.threadWindowMinutes * 60_000,
      reopenWindowMs: config.reopenWindowHours * 3_600_000,
      defaultQueueId: workspace.defaultQueueId,
    },
    batchSize: config.pipeline.batchSize,
    maxAttempts: config.pipeline.maxAttempts,
    stallMs: config.pipeline.stallSeconds * 1000,
    afterStage: deps.afterStage,
    classify: deps.classify ?? triage.classify,
    // Triage ahead in a worker thread answers as `triage.classify` does, so not with an injected one.
    ahead: deps.classify ? undefined : new ClassifyAhead(() => triage.model),
    logger: logger || undefined,
    clock,
    onCommitted: (batch) => {
      problems.runtime.committed();
      care.afterBatch(batch);
      const touched = new Set<string>();
      for (const item of batch.items) if (item.caseId) touched.add(item.caseId);
      // Past a hundred cases a client is better off re-reading its list than patching it.
      if (touched.size > 100) {
        bus.publish({
          type: 'cases.changed',
          workspaceId: workspace.workspaceId,
          data: { count: touched.size },
        });
        return;
      }
      for (const caseId of touched) {
        bus.publish({
          type: 'case.updated',
          workspaceId: workspace.workspaceId,
          data: { caseId, change: 'message' },
        });
      }
    },
  });

  const channelDeps: ChannelDeps = {
    db: database.db,
    config,
    workspaceId: workspace.workspaceId,
    clock,
    secretKey: resolveSecretKey(config),
    onAppended: wakePipeline,
    log: logger || undefined,
    publish: (e) => bus.publish(e),
    classify: deps.classify ?? triage.classify,
  };
  const senders = channelSenders(channelDeps);
  if (config.apiOutboundUrl) {
    senders.set('api', apiSender({ url: config.apiOutboundUrl, secret: config.webhookSecret }));
  }
  if (config.webchatOutboundUrl) {
    senders.set(
      'webchat',
      apiSender({ url: config.webchatOutboundUrl, secret: config.webhookSecret }),
    );
  }
  for (const [k, v] of deps.senders ?? []) senders.set(k, v);
  const problems = createProblems({
    database,
    workspaceId: workspace.workspaceId,
    clock,
    bus,
    senders,
    secretKey: channelDeps.secretKey,
    publicUrl: config.publicUrl,
    mailStaff: staffMailer(channelDeps),
  });
  problems.attach(pipeline.settings);
  const outbox = new OutboxWorker({
    database,
    senders,
    bus,
    logger: logger || undefined,
    logBodies: config.logBodies,
    clock,
    handlers: problems.handlers,
    onMessageFailed: undoFailedReply,
    retryForMs: config.outbox.retryHours * 3_600_000,
    maxBackoffMs: config.outbox.maxBackoffMinutes * 60_000,
  });

  const retention = new RetentionJob({
    db: database.db,
    workspaceId: workspace.workspaceId,
    days: config.retentionDays,
    clock,
    logger: logger || undefined,
  });

  const http = createHttpServer(logger);
  http.register(async (plugin) => {
    const scope = plugin.withTypeProvider<TypeBoxTypeProvider>() as Http;
    scope.addHook('onRequest', authHook(database.db));
    scope.addHook('onSend', auditHook(database.db, clock));
    systemRoutes(scope, {
      database,
      bus,
      secureCookies: servedOverHttps(config.publicUrl),
      workspaceId: workspace.workspaceId,
    });
    inboundRoutes(scope, { db: database.db, clock, onAppended: wakePipeline });
    caseRoutes(scope, {
      database,
      bus,
      clock,
      onOutbox: wakeOutbox,
      publicUrl: config.publicUrl,
      senders,
      onAssignable: care.requestAssignment,
    });
    care.routes(scope, senders);
    adminRoutes(scope, { db: database.db, clock, onRetry: wakePipeline });
    accessRoutes(scope, { db: database.db, clock, bus });
    auditRoutes(scope, { db: database.db });
    privacyRoutes(scope, { db: database.db, clock, onErased: () => triage.refresh() });
    channelRoutes(scope, channelDeps);
    problemRoutes(scope, { db: database.db, clock, onOutbox: () => outbox.notify() });
    problemNotificationRoutes(scope, { db: database.db });
    integrationRoutes(scope, { database, secretKey: channelDeps.secretKey, clock });
    triageRoutes(scope, { db: database.db, config, triage, clock });
  });

  let started = false;
  return {
    config,
    http,
    database,
    workspace,
    pipeline,
    outbox,
    bus,
    care,
    senders,
    problems,
    retention,
    triage,
    async start(opts = {}) {
      if (deps.serves === false) throw new Error('this app was built for a one-shot command');
      started = true;
      // On every node: corrections stored or erased elsewhere (another node, the CLI, the
      // retention job) reach this node's model within TRIAGE_WATCH_MS.
      triage.watch(deps.triageWatchMs ?? TRIAGE_WATCH_MS, (err) =>
        logger ? logger.warn({ err: err.message }, 'triage model check failed') : undefined,
      );
      // On every node: the demo may be loaded later, by another node (demo.sender.ts).
      enableDemoDelivery(senders, database.db, {
        workspaceId: workspace.workspaceId,
        logger: logger || undefined,
      });
      if (config.pipeline.workers) {
        await lease.start();
        pipeline.start();
        outbox.start();
        problems.start();
        care.scheduler.start();
        retention.start();
      }
      if (opts.listen === false) {
        await http.ready();
        return null;
      }
      const address = await http.listen({ port: config.port, host: config.host });
      return address;
    },
    async close() {
      if (deps.serves !== false) await http.close();
      triage.stopWatching();
      if (started) {
        await lease.stop();
        await pipeline.stop();
        await outbox.stop();
        await problems.worker.stop();
        await care.scheduler.stop();
        await retention.stop();
      }
      // An assignment run asked for by the last requests goes before the database does.
      await care.assignmentSettled();
      await problems.close();
      // The classifier thread, also when the pipeline was only drained, never started.
      await pipeline.close();
      await signals.stop();
      if (ownsDatabase) await database.close();
    },
  };
}
