import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type TestApp, testApp } from '../../../test/builders.js';
import { postChannel } from '../../../test/fakes/channels.js';
import { ENGINES, type FreshDatabase } from '../../../test/support/engines.js';
import { freePort } from '../../../test/support/ports.js';
import type { DB } from '../../platform/db/schema.js';
import { decryptSecrets, encryptSecrets } from '../channel.crypto.js';
import { createChannel } from '../channel.store.js';
import type { ChannelDeps } from '../routes.js';
import { channelDeps } from '../test-world.js';
import { emailPollTicker } from './email.timer.js';

// Every decryption of channel credentials is counted: the poll timer runs every second and must
// not pay one per record per tick.
vi.mock('../channel.crypto.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../channel.crypto.js')>();
  return { ...real, decryptSecrets: vi.fn(real.decryptSecrets) };
});
const decrypts = () => vi.mocked(decryptSecrets).mock.calls.length;

type Db = import('kysely').Kysely<DB>;

/** A mailbox on a loopback port nothing listens on: each poll fails at once and is counted. */
const deadImap = (port: number, pollIntervalSeconds: number) => ({
  imap: { host: '127.0.0.1', port, tls: false, user: 'care', pollIntervalSeconds },
});
const smtpOnly = { host: '127.0.0.1', port: 25, from: 'Care <care@desk.example>' };

/** Polls made so far: each failed one counts an error in the channel's state. */
async function polls(db: Db, channelId: string) {
  const row = await db
    .selectFrom('channel_state')
    .select('errors_total')
    .where('channel_id', '=', channelId)
    .executeTakeFirst();
  return Number(row?.errors_total ?? 0);
}

describe.each(ENGINES)('the e-mail poll timer on %s', (engine) => {
  beforeEach(() => {
    vi.mocked(decryptSecrets).mockClear();
  });

  describe('in a running desk', () => {
    let t: TestApp;
    let port: number;
    beforeAll(async () => {
      t = await testApp(engine);
      port = await freePort();
    });
    afterAll(async () => {
      await t?.close();
    });

    const add = async (name: string, config: object, secrets: object) => {
      const res = await postChannel(t, { kind: 'email', name, config, secrets });
      expect(res.statusCode, res.body).toBe(201);
      return res.json().id as string;
    };

    it('decrypts a mailbox password once, not on every tick, and readiness decrypts nothing', async () => {
      const db = t.app.database.db;
      await add('Sending', smtpOnly, { password: 'smtp-pass' });
      const quiet = await add('Hourly', deadImap(port, 3600), { imapPassword: 'imap-1' });
      const busy = await add('Every second', deadImap(port, 1), { imapPassword: 'imap-2' });
      // The real 1 s timer: the hourly mailbox is polled once, the other about every second.
      const deadline = Date.now() + 20_000;
      while ((await polls(db, busy)) < 3 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(await polls(db, busy)).toBeGreaterThanOrEqual(3);
      expect(await polls(db, quiet)).toBe(1);
      // Over three ticks or more: each mailbox's password once, the sending record's never.
      expect(decrypts()).toBe(2);
      const email = t.app.senders.get('email')!;
      for (let i = 0; i < 5; i++) {
        expect(await email.ready!({ channel: 'email', channelId: null })).toBe(true);
      }
      expect(decrypts()).toBe(2);
    });
  });

  describe('tick by tick', () => {
    let fresh: FreshDatabase;
    let deps: ChannelDeps;
    let now = Date.UTC(2026, 11, 3, 9, 0, 0);
    beforeAll(async () => {
      ({ fresh, deps } = await channelDeps(engine, () => now));
    });
    afterAll(async () => {
      await fresh?.cleanup();
    });

    it('polls a mailbox when its interval is due and decrypts again only after its row changed', async () => {
      const port = await freePort();
      const log = { info: () => {}, warn: () => {} };
      const tick = emailPollTicker(deps, log);
      const add = (
        name: string,
        config: Record<string, unknown>,
        secrets: Record<string, string>,
      ) =>
        createChannel(
          deps.db,
          deps.secretKey,
          deps.workspaceId,
          { kind: 'email', name, config, secrets },
          now,
        );
      await add('Sending', smtpOnly, { password: 'smtp-pass' });
      const box = await add('Every 30 s', deadImap(port, 30), { imapPassword: 'before' });
      const run = async (ticks: number) => {
        for (let i = 0; i < ticks; i++) {
          await tick();
          now += 1000;
        }
      };
      // 120 one-second ticks: polls at 0, 30, 60 and 90 s; one decryption.
      await run(120);
      expect(await polls(deps.db, box.id)).toBe(4);
      expect(decrypts()).toBe(1);
      // Another node stores a new password: the next due poll decrypts it, once.
      await deps.db
        .updateTable('channels')
        .set({ secrets_enc: encryptSecrets(deps.secretKey, box.id, { imapPassword: 'after' }) })
        .where('id', '=', box.id)
        .execute();
      await run(60);
      expect(await polls(deps.db, box.id)).toBe(6);
      expect(decrypts()).toBe(2);
      expect(vi.mocked(decryptSecrets).mock.results.at(-1)?.value).toEqual({
        imapPassword: 'after',
      });
      // Disabled: no longer polled.
      await deps.db
        .updateTable('channels')
        .set({ disabled_at: now })
        .where('id', '=', box.id)
        .execute();
      await run(60);
      expect(await polls(deps.db, box.id)).toBe(6);
      expect(decrypts()).toBe(2);
    });
  });
});
