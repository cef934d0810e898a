import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { asAdmin } from '../../test/builders.js';
import { postChannel } from '../../test/fakes/channels.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { createApiToken } from '../platform/auth/tokens.js';
import { channelAddCommand, channelInputFromOptions } from './channel.command.js';
import { decryptSecrets } from './channel.crypto.js';

describe.each(ENGINES)('channel administration on %s', (engine) => {
  const t = suiteApp(engine);

  it('creates a channel with credentials encrypted at rest and never shows them', async () => {
    const res = await postChannel(t, {
      kind: 'meta',
      name: 'Acme',
      config: { pageId: '123' },
      secrets: { appSecret: 'very-secret-app', verifyToken: 'vt' },
    });
    expect(res.statusCode).toBe(201);
    const id = res.json().id as string;
    expect(res.json().webhookUrl).toMatch(new RegExp(`/webhooks/meta/${id}$`));
    const row = await t.app.database.db
      .selectFrom('channels')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.secrets_enc).not.toContain('very-secret-app');
    expect(row.config_json).not.toContain('very-secret-app');
    const list = await asAdmin(t, 'GET', '/api/v1/channels');
    expect(list.json().items.map((c: { id: string }) => c.id)).toContain(id);
    expect(list.json().nextCursor).toBeNull();
    expect(list.body).not.toContain('very-secret-app');
    const one = await asAdmin(t, 'GET', `/api/v1/channels/${id}`);
    expect(one.json()).toMatchObject({
      kind: 'meta',
      name: 'Acme',
      health: { status: 'ok', parkedEvents: 0, lastEventAt: null },
    });
  });

  it('refuses bad input with the path of the problem, and non-admins', async () => {
    const bad = await postChannel(t, {
      kind: 'x',
      name: 'x',
      config: { accountId: 'not-a-number' },
      secrets: {},
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.message).toMatch(/\/config\/accountId/);
    const { token } = await createApiToken(
      t.app.database.db,
      t.app.workspace.workspaceId,
      'agent',
      'agent',
    );
    const denied = await t.app.http.inject({
      method: 'POST',
      url: '/api/v1/channels',
      headers: { authorization: `Bearer ${token}` },
      payload: { kind: 'x', name: 'x', secrets: { consumerSecret: 's' } },
    });
    expect(denied.statusCode).toBe(403);
    const anon = await t.app.http.inject({ method: 'GET', url: '/api/v1/channels' });
    expect(anon.statusCode).toBe(401);
  });

  it('takes a channel with no secrets left out (an SMTP server without login), and names the secret a kind needs', async () => {
    // QA: an email channel without a password needed `"secrets": {}`.
    const res = await postChannel(t, {
      kind: 'email',
      name: 'Relay',
      config: { host: '127.0.0.1', port: 2525, secure: false, from: 'care@desk.example' },
    });
    expect(res.statusCode, res.body).toBe(201);
    const x = await postChannel(t, { kind: 'x', name: 'X', config: { accountId: '123' } });
    expect(x.statusCode).toBe(400);
    expect(x.json().error.message).toMatch(/\/secrets/);
  });
});

describe('encryption', () => {
  it('binds the ciphertext to its channel id and key', async () => {
    const { encryptSecrets } = await import('./channel.crypto.js');
    const key = Buffer.alloc(32, 7);
    const box = encryptSecrets(key, 'ch-1', { appSecret: 's' });
    expect(decryptSecrets(key, 'ch-1', box)).toEqual({ appSecret: 's' });
    expect(() => decryptSecrets(key, 'ch-2', box)).toThrow();
    expect(() => decryptSecrets(Buffer.alloc(32, 8), 'ch-1', box)).toThrow();
  });
});

describe('throughline channel add', () => {
  it('maps CLI options to a channel', () => {
    expect(
      channelInputFromOptions('meta', {
        name: 'Acme',
        appSecret: 'a',
        verifyToken: 'v',
        pageId: '1',
        whatsappTemplate: 'case_update:en_US',
        humanAgentTag: true,
      }),
    ).toEqual({
      kind: 'meta',
      name: 'Acme',
      config: {
        pageId: '1',
        whatsappTemplate: { name: 'case_update', language: 'en_US' },
        humanAgentTag: true,
      },
      secrets: { appSecret: 'a', verifyToken: 'v' },
    });
    expect(
      channelInputFromOptions('x', {
        name: 'X',
        consumerSecret: 'c',
        handle: '@acme',
        listen: ['acme outage'],
        readBudget: '10000',
      }).config,
    ).toEqual({
      handle: 'acme',
      listenQueries: ['acme outage'],
      readBudgetPerMonth: 10000,
    });
    expect(
      channelInputFromOptions('email', {
        name: 'Care',
        host: 'smtp.acme.example',
        port: '587',
        from: 'Acme Care <care@acme.example>',
        username: 'care',
        password: 'pw',
      }),
    ).toEqual({
      kind: 'email',
      name: 'Care',
      config: {
        host: 'smtp.acme.example',
        port: 587,
        secure: false,
        from: 'Acme Care <care@acme.example>',
        username: 'care',
      },
      secrets: { password: 'pw' },
    });
    expect(
      channelInputFromOptions('sms', {
        name: 'SMS',
        accountSid: 'AC0123',
        authToken: 't',
        from: '+14155550100',
      }),
    ).toEqual({
      kind: 'sms',
      name: 'SMS',
      config: { accountSid: 'AC0123', from: '+14155550100' },
      secrets: { authToken: 't' },
    });
  });

  it('creates the channel and prints its id on the last line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-cli-'));
    const env = { ...process.env };
    process.env.THROUGHLINE_DATABASE_URL = `sqlite:${join(dir, 'db.sqlite')}`;
    process.env.THROUGHLINE_DEMO = 'false';
    process.env.LOG_LEVEL = 'silent';
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
      out.push(String(s));
      return true;
    });
    try {
      await channelAddCommand('x', { name: 'Support', consumerSecret: 'cs', accountId: '42' });
    } finally {
      spy.mockRestore();
      process.env = env;
    }
    const lines = out.join('').trim().split('\n');
    const id = lines.at(-1)!;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.join('\n')).toContain(`/webhooks/x/${id}`);
    expect(lines.join('\n')).not.toContain('cs\n');
    rmSync(dir, { recursive: true, force: true });
  });
});
