import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { type App, buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createApiToken } from '../src/platform/auth/tokens.js';
import type { DB } from '../src/platform/db/schema.js';
import { createDatabase, startPostgres } from '../test/support/postgres.js';
import { describeMachine, percentile } from './machine.js';

/**
 * Read latency with a large desk (PRODUCT.md: inbox and case view p95 < 25 ms with 1 million
 * cases stored). The database is filled in SQL (a recursive CTE on SQLite, generate_series on
 * PostgreSQL: the pipeline would take far longer to write a million cases and is measured by the
 * ingest bench), then the real HTTP server is asked the questions an agent's screen asks, one at
 * a time over loopback, and each is timed from request to parsed body.
 */
const CHUNK = 100_000;
const DAY = 86_400_000;
const CHANNELS = ['x', 'facebook', 'instagram', 'whatsapp', 'email', 'sms', 'voice', 'webchat'];

interface Shape {
  cases: number;
  /** Customers: about one for every 1.5 cases (people come back). */
  customers: number;
  queues: string[];
  agents: string[];
}

/** `INSERT … SELECT` over n = from..to-1 on either engine. */
async function fill(
  db: Kysely<DB>,
  engine: 'sqlite' | 'postgres',
  insert: string,
  select: string,
  from: number,
  to: number,
) {
  const body =
    engine === 'sqlite'
      ? `WITH RECURSIVE seq(n) AS (SELECT ${from} UNION ALL SELECT n + 1 FROM seq WHERE n < ${to - 1}) ${insert} ${select} FROM seq`
      : `${insert} ${select} FROM generate_series(${from}::bigint, ${to - 1}::bigint) AS seq(n)`;
  await sql.raw(body).execute(db);
}

async function seed(app: App, engine: 'sqlite' | 'postgres', shape: Shape) {
  const db = app.database.db;
  const ws = app.workspace.workspaceId;
  const t0 = Date.now() - 90 * DAY;
  const pick = (list: string[], expr: string) =>
    `CASE ${list.map((v, i) => `WHEN (${expr}) % ${list.length} = ${i} THEN '${v}'`).join(' ')} END`;
  const now = Date.now();
  for (const q of shape.queues.slice(1)) {
    await db
      .insertInto('queues')
      .values({ id: q, workspace_id: ws, name: q, team_id: null, is_default: 0, created_at: now })
      .execute();
  }
  for (const a of shape.agents) {
    await db
      .insertInto('users')
      .values({
        id: a,
        workspace_id: ws,
        email: `${a}@bench.local`,
        name: a,
        role: 'agent',
        password_hash: '!disabled',
        must_change_password: 0,
        created_at: now,
      } as never)
      .execute();
  }
  for (let from = 0; from < shape.customers; from += CHUNK) {
    const to = Math.min(shape.customers, from + CHUNK);
    await fill(
      db,
      engine,
      'INSERT INTO customers (id, workspace_id, display_name, location, reach, merged_into, created_at, updated_at, attributes_json)',
      `SELECT 'bcu-' || n, '${ws}', 'Customer ' || n, NULL, (n * 37) % 5000, NULL, ${t0}, ${t0}, '{}'`,
      from,
      to,
    );
  }
  // Cases spread over 90 days; statuses, queues and agents mixed as a working desk's are (the
  // `n / 20` terms keep queue and agent independent of the status, which cycles every 20).
  const at = `(${t0} + n * ${Math.floor((90 * DAY) / shape.cases)})`;
  const status = `CASE WHEN n % 20 < 11 THEN 'closed' WHEN n % 20 < 15 THEN 'resolved' WHEN n % 20 < 17 THEN 'open' WHEN n % 20 < 19 THEN 'pending' ELSE 'new' END`;
  for (let from = 0; from < shape.cases; from += CHUNK) {
    const to = Math.min(shape.cases, from + CHUNK);
    await fill(
      db,
      engine,
      `INSERT INTO cases (id, workspace_id, number, customer_id, status, status_reason, priority, queue_id,
        assignee_id, channel, subject, language, opened_at, last_message_at, last_inbound_at,
        first_response_at, resolved_at, closed_at, message_count, version, created_at, updated_at,
        group_key, topic, priority_score, reopen_count, escalated)`,
      `SELECT 'bca-' || n, '${ws}', n + 1000, 'bcu-' || ((n * 7) % ${shape.customers}), ${status},
        NULL, ${pick(['low', 'normal', 'normal', 'high', 'urgent'], 'n * 13')},
        ${pick(shape.queues, 'n + n / 20')},
        CASE WHEN n % 20 = 19 THEN NULL ELSE ${pick(shape.agents, 'n * 11 + n / 20')} END,
        ${pick(CHANNELS, 'n * 5')}, 'Case ' || n || ': no signal since this morning', 'en',
        ${at}, ${at} + 3600000, ${at}, ${at} + 600000, NULL, NULL, 3, 1, ${at}, ${at} + 3600000,
        NULL, 'network', 0, 0, 0`,
      from,
      to,
    );
    // Three messages a case: the complaint, our answer, their reply.
    for (const [k, dir, text] of [
      [0, 'in', 'no signal at home since this morning, what is going on'],
      [1, 'out', 'Sorry to hear that. We are looking into it now.'],
      [2, 'in', 'thanks, it is back'],
    ] as const) {
      await fill(
        db,
        engine,
        `INSERT INTO messages (id, workspace_id, case_id, customer_id, channel, channel_id, external_id,
          direction, visibility, author_address, author_name, text, sent_at, received_at, in_reply_to,
          conversation_id, language, attachments_json, triage_json, raw_json, status, user_id,
          deleted_at, unsolicited)`,
        `SELECT 'bm-${k}-' || n, '${ws}', 'bca-' || n, 'bcu-' || ((n * 7) % ${shape.customers}),
          ${pick(CHANNELS, 'n * 5')}, NULL, 'bench-${k}-' || n, '${dir}', 'private',
          'addr-' || n, NULL, '${text}', ${at} + ${k * 1_800_000}, ${at} + ${k * 1_800_000},
          NULL, NULL, 'en', '[]', NULL, NULL, '${dir === 'in' ? 'received' : 'sent'}', NULL, NULL, 0`,
        from,
        to,
      );
    }
  }
  await sql.raw('ANALYZE').execute(db);
}

async function time(n: number, url: () => string, headers: Record<string, string>) {
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await fetch(url(), { headers });
    if (res.status !== 200) throw new Error(`${url()} → ${res.status}: ${await res.text()}`);
    await res.json();
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  const f = (p: number) => percentile(ms, p).toFixed(1);
  return `p50 ${f(50)} ms, p95 ${f(95)} ms, p99 ${f(99)} ms`;
}

async function measure(databaseUrl: string, engine: 'sqlite' | 'postgres', cases: number) {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const base = loadConfig({
    THROUGHLINE_DATABASE_URL: databaseUrl,
    LOG_LEVEL: 'silent',
    THROUGHLINE_DEMO: 'false',
  });
  const app = await buildApp({
    config: { ...base, port: 0, host: '127.0.0.1', pipeline: { ...base.pipeline, workers: false } },
  });
  const address = await app.start();
  try {
    const shape: Shape = {
      cases,
      customers: Math.round(cases / 1.5),
      queues: [app.workspace.defaultQueueId, 'bq-billing', 'bq-network', 'bq-social'],
      agents: Array.from({ length: 40 }, (_, i) => `bag-${i}`),
    };
    const t0 = Date.now();
    await seed(app, engine, shape);
    out(
      `  seeded ${cases.toLocaleString('en')} cases, ${shape.customers.toLocaleString('en')} customers, ${(cases * 3).toLocaleString('en')} messages in ${((Date.now() - t0) / 1000).toFixed(0)} s`,
    );
    const { token } = await createApiToken(
      app.database.db,
      app.workspace.workspaceId,
      'b',
      'admin',
    );
    const h = { authorization: `Bearer ${token}` };
    const api = `${address}/api/v1`;
    let i = 0;
    const someCase = () => `bca-${(i++ * 7919) % cases}`;
    const someCustomer = () => `bcu-${(i++ * 104729) % shape.customers}`;
    const N = 400;
    out(`  inbox, all (50 newest):            ${await time(N, () => `${api}/cases?limit=50`, h)}`);
    out(
      `  inbox, open+new+pending:           ${await time(N, () => `${api}/cases?status=new,open,pending&limit=50`, h)}`,
    );
    out(
      `  inbox, one queue, open:            ${await time(N, () => `${api}/cases?queue=bq-network&status=open&limit=50`, h)}`,
    );
    out(
      `  inbox, unassigned new:             ${await time(N, () => `${api}/cases?assignee=none&status=new&limit=50`, h)}`,
    );
    out(
      `  inbox, one agent's open:           ${await time(N, () => `${api}/cases?assignee=bag-${i++ % 40}&status=open&limit=50`, h)}`,
    );
    // New cases are all unassigned here, so this filter matches nothing: the planner must not
    // walk a large index range looking for rows that are not there.
    out(
      `  inbox, filter matching nothing:    ${await time(N, () => `${api}/cases?assignee=bag-${i++ % 40}&status=new&limit=50`, h)}`,
    );
    // The activity order (sort=activity) keeps its own indexes: the default is by createdAt.
    out(
      `  inbox, all, by activity:           ${await time(N, () => `${api}/cases?sort=activity&limit=50`, h)}`,
    );
    out(
      `  inbox, one queue, open, activity:  ${await time(N, () => `${api}/cases?sort=activity&queue=bq-network&status=open&limit=50`, h)}`,
    );
    // Deep pages by cursor: 20 pages in.
    let cursor: string | null = null;
    for (let p = 0; p < 20; p++) {
      const res = await fetch(`${api}/cases?limit=50${cursor ? `&cursor=${cursor}` : ''}`, {
        headers: h,
      });
      cursor = ((await res.json()) as { nextCursor: string | null }).nextCursor;
    }
    out(
      `  inbox, page 21 by cursor:          ${await time(N, () => `${api}/cases?limit=50&cursor=${cursor}`, h)}`,
    );
    out(
      `  case view (case+messages+history): ${await time(N, () => `${api}/cases/${someCase()}`, h)}`,
    );
    out(
      `  customer timeline:                 ${await time(N, () => `${api}/customers/${someCustomer()}/timeline`, h)}`,
    );
    // Text search (subject, customer name, message text): one case's subject (few hits, served
    // by the trigram indexes), text no case holds, and a word every case holds (too many hits
    // for the indexes to beat a newest-first scan; see src/cases/case.search.ts).
    out(
      `  text search, one case's subject:   ${await time(100, () => `${api}/cases?q=${encodeURIComponent(`Case ${(i++ * 31) % cases}:`)}&limit=50`, h)}`,
    );
    out(
      `  text search, no match:             ${await time(100, () => `${api}/cases?q=${encodeURIComponent(`refund ${i++}`)}&limit=50`, h)}`,
    );
    out(
      `  text search, word in every case:   ${await time(100, () => `${api}/cases?q=signal&limit=50`, h)}`,
    );
    // The scan's bad case: common text (a tenth of all subjects) found only in older cases.
    out(
      `  text search, common but only old:  ${await time(5, () => `${api}/cases?q=${encodeURIComponent(`Case ${1 + (i++ % 4)}`)}&limit=50`, h)}`,
    );
  } finally {
    await app.close();
  }
}

export async function runReadsBench(opts: { cases?: number } = {}) {
  const out = (s: string) => process.stdout.write(`${s}\n`);
  const cases = opts.cases ?? Number(process.env.BENCH_READS_CASES ?? 1_000_000);
  out(`machine: ${describeMachine()}`);
  out('each line: sequential requests over loopback HTTP, request to parsed JSON');
  const dir = mkdtempSync(join(tmpdir(), 'throughline-reads-'));
  try {
    out('\n[SQLite, file, WAL]');
    await measure(`sqlite:${join(dir, 'reads.db')}`, 'sqlite', cases);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const cluster = await startPostgres();
  try {
    out(`\n[PostgreSQL ${cluster.version}, local throwaway cluster]`);
    await measure(await createDatabase(cluster.url, 'bench_reads'), 'postgres', cases);
  } finally {
    await cluster.stop();
  }
  out('\ntarget (PRODUCT.md): inbox and case view p95 < 25 ms with 1 million cases stored');
}
