import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { X_SECRET } from '../../test/fakes/channels.js';
import { FakeX } from '../../test/fakes/x-provider.js';
import { ENGINES, type FreshDatabase } from '../../test/support/engines.js';
import { decryptSecrets, encryptSecrets } from './channel.crypto.js';
import { createChannel } from './channel.store.js';
import { channelTicker, nextXPollAt } from './channel.timers.js';
import type { ChannelDeps } from './routes.js';
import { channelDeps } from './test-world.js';

// Every decryption of channel credentials is counted: the timer runs every 15 s and must not
// pay one per X record per tick.
vi.mock('./channel.crypto.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('./channel.crypto.js')>();
  return { ...real, decryptSecrets: vi.fn(real.decryptSecrets) };
});
const decrypts = () => vi.mocked(decryptSecrets).mock.calls.length;

describe('nextXPollAt', () => {
  it('counts the streams the record reads, not the read budget, and a new stream is due at once', () => {
    const config = { mode: 'polling' as const, accountId: '1', pollIntervalSeconds: 60 };
    const cursors = JSON.stringify({
      mentions: { lastPollAt: 10_000 },
      __budget: { month: '2026-12', used: 5 },
    });
    expect(nextXPollAt(config, cursors)).toBe(70_000);
    expect(nextXPollAt({ ...config, listenQueries: ['outage'] }, cursors)).toBe(60_000);
    expect(nextXPollAt({ mode: 'polling' }, cursors)).toBe(Number.POSITIVE_INFINITY);
    expect(nextXPollAt(config, null)).toBe(60_000);
  });
});

describe.each(ENGINES)('the X channel timer on %s', (engine) => {
  let fresh: FreshDatabase;
  let fake: FakeX;
  let deps: ChannelDeps;
  let now = Date.UTC(2026, 11, 3, 9, 0, 0);
  beforeAll(async () => {
    fake = await new FakeX().start();
    ({ fresh, deps } = await channelDeps(engine, () => now));
  });
  afterAll(async () => {
    await fresh?.cleanup();
    await fake?.close();
  });
  beforeEach(() => {
    vi.mocked(decryptSecrets).mockClear();
  });

  it('decrypts an X record only when its poll is due and its row changed since', async () => {
    const warnings: object[] = [];
    const tick = channelTicker(deps, { warn: (o) => warnings.push(o) });
    const add = (name: string, config: Record<string, unknown>) =>
      createChannel(
        deps.db,
        deps.secretKey,
        deps.workspaceId,
        {
          kind: 'x',
          name,
          config: { apiBaseUrl: fake.url, ...config },
          secrets: { consumerSecret: X_SECRET, userAccessToken: fake.userToken },
        },
        now,
      );
    await add('Webhooks', { mode: 'webhook', accountId: '100' });
    await add('Hourly', { mode: 'polling', accountId: '200', pollIntervalSeconds: 3600 });
    const minutely = await add('Every minute', {
      mode: 'polling',
      accountId: '300',
      pollIntervalSeconds: 60,
    });
    const mentionsOf = (account: string) =>
      fake.requestsOf('mentions').filter((r) => r.path.includes(`/users/${account}/`)).length;
    const run = async (ticks: number) => {
      for (let i = 0; i < ticks; i++) {
        await tick();
        now += 15_000;
      }
    };
    // Ten minutes of 15 s ticks: the minutely record is polled every minute (its read budget
    // does not make it due every tick), the hourly one once, the webhook one never; each of the
    // two polled records' credentials decrypted once.
    await run(40);
    expect(warnings).toEqual([]);
    expect(mentionsOf('300')).toBe(10);
    expect(mentionsOf('200')).toBe(1);
    expect(mentionsOf('100')).toBe(0);
    expect(decrypts()).toBe(2);
    // Another node stores new credentials: the next due poll decrypts them, once, and uses them.
    // The same token under a fresh nonce: stored text changes, as any write of credentials does.
    const rotated = fake.userToken;
    await deps.db
      .updateTable('channels')
      .set({
        secrets_enc: encryptSecrets(deps.secretKey, minutely.id, {
          consumerSecret: X_SECRET,
          userAccessToken: rotated,
        }),
      })
      .where('id', '=', minutely.id)
      .execute();
    await run(8);
    expect(mentionsOf('300')).toBe(12);
    expect(decrypts()).toBe(3);
    expect(vi.mocked(decryptSecrets).mock.results.at(-1)?.value).toEqual({
      consumerSecret: X_SECRET,
      userAccessToken: rotated,
    });
    // Disabled: no longer polled, nothing decrypted.
    await deps.db
      .updateTable('channels')
      .set({ disabled_at: now })
      .where('id', '=', minutely.id)
      .execute();
    await run(8);
    expect(mentionsOf('300')).toBe(12);
    expect(decrypts()).toBe(3);
  });
});
