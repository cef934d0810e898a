import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../app.js';
import { loadConfig } from '../../config.js';
import { resolveSecretKey } from '../../platform/secret-key.js';
import { createChannel } from '../channel.store.js';
import { runXWebhookStorm } from './x.storm.js';

/**
 * `npm run bench` figure for the storm: 10,000 signed X webhook deliveries in bursts of
 * 100, 10 % duplicates, shuffled, on embedded SQLite; prints deliveries/s accepted and checks
 * that every tweet was stored exactly once after the pipeline drained. Nothing is asserted.
 */
export async function runXStormBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tl-xstorm-'));
  const config = loadConfig({
    THROUGHLINE_DATABASE_URL: `sqlite:${join(dir, 'bench.db')}`,
    THROUGHLINE_DEMO: 'false',
    LOG_LEVEL: 'silent',
  });
  const app = await buildApp({
    config: { ...config, pipeline: { ...config.pipeline, workers: false } },
  });
  try {
    await app.start({ listen: false });
    const ch = await createChannel(
      app.database.db,
      resolveSecretKey(config),
      app.workspace.workspaceId,
      {
        kind: 'x',
        name: 'storm',
        config: { accountId: '1' },
        secrets: { consumerSecret: 'bench-secret' },
      },
      Date.now(),
    );
    const r = await runXWebhookStorm(app, {
      channelId: ch.id,
      consumerSecret: 'bench-secret',
      accountId: '1',
      deliveries: 10_000,
      duplicateRate: 0.1,
      burst: 100,
    });
    await app.pipeline.drain();
    const stored = Number(
      (
        await app.database.db
          .selectFrom('messages')
          .select((e) => e.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    process.stdout.write(
      `x webhook storm (sqlite): ${r.deliveries} deliveries, ${r.uniqueTweets} unique, ${Math.round(r.deliveriesPerSecond)} deliveries/s accepted, ${r.non200} refused, ${stored} stored after drain (${stored === r.uniqueTweets ? 'exactly once' : 'MISMATCH'}); ${cpus().length} CPUs, Node ${process.version}\n`,
    );
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
