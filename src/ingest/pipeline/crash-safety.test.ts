import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ENGINES } from '../../../test/support/engines.js';
import { drainInProcess, grouping, withLoggedTwins } from './test-fixtures.js';

const CRASH_WORKER = fileURLToPath(
  new URL('../../../test/fixtures/crash-worker.ts', import.meta.url),
);

describe.each(ENGINES)('crash safety on %s', (engine) => {
  it.each(['thread', 'persist'])(
    'a worker killed after %s mid-batch is recovered with exactly-once effects',
    (stage) =>
      withLoggedTwins(engine, async (crashed, clean, msgs) => {
        const child = spawnSync(process.execPath, ['--import', 'tsx', CRASH_WORKER, crashed.url], {
          env: { ...process.env, CRASH_AT: stage, CRASH_BATCH: '3' },
          encoding: 'utf8',
          timeout: 180_000,
        });
        expect(child.signal).toBe('SIGKILL');
        expect(child.stdout).toContain(`crashing after ${stage} in batch 3`);
        // Two batches of 50 committed before the crash; the third left nothing behind.
        const done = await crashed.database.db
          .selectFrom('inbound_events')
          .select('seq')
          .where('status', '=', 'done')
          .execute();
        expect(done).toHaveLength(100);
        expect(
          await crashed.database.db.selectFrom('messages').select('id').execute(),
        ).toHaveLength(100);

        await drainInProcess(crashed.database);
        await drainInProcess(clean.database);
        const messages = await crashed.database.db
          .selectFrom('messages')
          .select('external_id')
          .execute();
        expect(messages).toHaveLength(msgs.length);
        expect(new Set(messages.map((m) => m.external_id)).size).toBe(msgs.length);
        const cases = await crashed.database.db
          .selectFrom('cases')
          .select(['id', 'message_count'])
          .execute();
        const cleanCases = await clean.database.db.selectFrom('cases').select('id').execute();
        expect(cases).toHaveLength(cleanCases.length);
        expect(cases.reduce((s, c) => s + c.message_count, 0)).toBe(msgs.length);
        expect(await grouping(crashed.database)).toEqual(await grouping(clean.database));
        const numbers = await crashed.database.db
          .selectFrom('cases')
          .select('number')
          .orderBy('number')
          .execute();
        expect(numbers.map((n) => Number(n.number))).toEqual(cleanCases.map((_, i) => i + 1));
      }),
  );
});
