import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { appendInbound } from '../src/ingest/inbound.log.js';
import type { InboundMessage } from '../src/ingest/inbound.schema.js';
import { simulate } from '../src/simulate/index.js';
import { startPostgres } from '../test/support/postgres.js';
import { describeMachine, machineLoad, memorySampler, percentile } from './machine.js';

/**
 * Whole-pipeline ingest benchmark: messages are appended to the inbound log (as the HTTP route
 * does) while the pipeline worker runs, and we time receipt → routed case for each message
 * (processed_at − received_at). Two runs per engine:
 *  - sustained: append as fast as possible, N messages, throughput = N / time until all routed;
 *  - paced: 2,000 messages/s for 10 s, latency percentiles at that rate.
 */
function loadMessages(n: number, seed: number): InboundMessage[] {
  const out: InboundMessage[] = [];
  for (const e of simulate({ scenario: 'load', seed })) {
    if (e.type !== 'message') continue;
    out.push(e.message);
    if (out.length >= n) break;
  }
  return out;
}

/**
 * Waits until every appended event has left `pending`. Each poll asks only whether one pending
 * event is left (the first entry of `inbound_events_work_ix`); counting them, as it did, read
 * the whole backlog's index range every 20 ms, up to 100,000 entries: 15 ms of SQLite's
 * main thread a poll, and on PostgreSQL a backend busy counting beside the pipeline's, a load of
 * the harness's own on the database under test. The log is counted once, when none is pending.
 */
async function waitAllProcessed(app: App, total: number) {
  for (;;) {
    const pending = await app.database.db
      .selectFrom('inbound_events')
      .select('seq')
      .where('status', '=', 'pending')
      .orderBy('seq')
      .limit(1)
      .executeTakeFirst();
    if (!pending) {
      const all = await app.database.db
        .selectFrom('inbound_events')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow();
      if (Number(all.n) >= total) return;
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function latencies(app: App): Promise<number[]> {
  const rows = await app.database.db
    .selectFrom('inbound_events')
    .select(['received_at', 'processed_at'])
    .where('status', '=', 'done')
    .execute();
  return rows.map((r) => Number(r.processed_at) - Number(r.received_at)).sort((a, b) => a - b);
}

async function withApp(url: string, fn: (app: App) => Promise<void>) {
  const base = loadConfig({ THROUGHLINE_DATABASE_URL: url, LOG_LEVEL: 'silent' });
  const app = await buildApp({
    config: { ...base, pipeline: { ...base.pipeline, batchSize: 1000 } },
  });
  await app.start({ listen: false });
  try {
    await fn(app);
  } finally {
    await app.close();
  }
}

async function sustained(url: string, messages: InboundMessage[]) {
  let result = '';
  await withApp(url, async (app) => {
    const peak = memorySampler();
    const t0 = performance.now();
    for (let i = 0; i < messages.length; i += 1000) {
      await appendInbound(
        app.database.db,
        app.workspace.workspaceId,
        messages.slice(i, i + 1000),
        Date.now(),
      );
      app.pipeline.notify();
    }
    await waitAllProcessed(app, messages.length);
    const secs = (performance.now() - t0) / 1000;
    const lat = await latencies(app);
    const cases = await app.database.db
      .selectFrom('cases')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    result = `sustained: ${messages.length} msgs in ${secs.toFixed(2)} s = ${Math.round(messages.length / secs)} msg/s; latency p50 ${percentile(lat, 50)} ms, p99 ${percentile(lat, 99)} ms; ${cases.n} cases; peak RSS ${peak()} MiB; ${machineLoad()}`;
  });
  return result;
}

async function paced(url: string, messages: InboundMessage[], rate: number, seconds: number) {
  let result = '';
  await withApp(url, async (app) => {
    const tickMs = 50;
    const perTick = Math.round((rate * tickMs) / 1000);
    const total = Math.min(messages.length, rate * seconds);
    const start = performance.now();
    let sent = 0;
    while (sent < total) {
      const due = start + (sent / perTick) * tickMs;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const chunk = messages.slice(sent, sent + perTick);
      await appendInbound(app.database.db, app.workspace.workspaceId, chunk, Date.now());
      app.pipeline.notify();
      sent += chunk.length;
    }
    await waitAllProcessed(app, total);
    const lat = await latencies(app);
    const achieved = total / ((performance.now() - start) / 1000);
    result = `paced at ${rate} msg/s for ${seconds} s (achieved ${Math.round(achieved)}/s): latency p50 ${percentile(lat, 50)} ms, p99 ${percentile(lat, 99)} ms, max ${lat[lat.length - 1]} ms; ${machineLoad()}`;
  });
  return result;
}

export async function runIngestBench(opts: { sqliteN?: number; pgN?: number } = {}) {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`machine: ${describeMachine()}`);
  const sqliteN = opts.sqliteN ?? Number(process.env.BENCH_SQLITE_N ?? 100_000);
  const pgN = opts.pgN ?? Number(process.env.BENCH_PG_N ?? 50_000);
  const messages = loadMessages(Math.max(sqliteN, pgN, 20_000), 7);
  out(`workload: simulator scenario "load", ${messages.length} messages across all channels`);

  const dir = mkdtempSync(join(tmpdir(), 'throughline-bench-'));
  try {
    out('\n[SQLite, file, WAL, synchronous=FULL]');
    out(`  ${await sustained(`sqlite:${join(dir, 'a.db')}`, messages.slice(0, sqliteN))}`);
    out(`  ${await paced(`sqlite:${join(dir, 'b.db')}`, messages, 2000, 10)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const cluster = await startPostgres({ durable: true });
  try {
    out(`\n[PostgreSQL ${cluster.version}, local throwaway cluster, fsync on]`);
    const { createDatabase } = await import('../test/support/postgres.js');
    out(
      `  ${await sustained(await createDatabase(cluster.url, 'bench_a'), messages.slice(0, pgN))}`,
    );
    out(`  ${await paced(await createDatabase(cluster.url, 'bench_b'), messages, 2000, 10)}`);
  } finally {
    await cluster.stop();
  }
  out(
    '\ntargets (PRODUCT.md): ≥ 20,000 msg/s SQLite, ≥ 5,000 msg/s PostgreSQL, p99 < 1 s at 2,000 msg/s',
  );
}
