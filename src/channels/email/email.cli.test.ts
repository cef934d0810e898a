import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { channelInputFromOptions } from '../channel.command.js';

const BIN = fileURLToPath(new URL('../../../bin/throughline.js', import.meta.url));

describe('throughline channel add email with IMAP', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tl-email-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('maps the IMAP options; --no-tls means no TLS and port 143 by default', () => {
    expect(
      channelInputFromOptions('email', {
        name: 'In',
        imapHost: 'imap.acme.example',
        imapUser: 'care@acme.example',
        imapPassword: 'pw',
        tls: false,
        mailbox: 'Support',
        pollInterval: '60',
      }),
    ).toEqual({
      kind: 'email',
      name: 'In',
      config: {
        imap: {
          host: 'imap.acme.example',
          port: 143,
          tls: false,
          user: 'care@acme.example',
          mailbox: 'Support',
          pollIntervalSeconds: 60,
        },
      },
      secrets: { imapPassword: 'pw' },
    });
  });

  it('stores the channel through the real CLI with the password encrypted and never printed', () => {
    const res = spawnSync(
      process.execPath,
      [
        BIN,
        'channel',
        'add',
        'email',
        '--name',
        'Support inbox',
        '--imap-host',
        '127.0.0.1',
        '--imap-port',
        '18751',
        '--imap-user',
        'care@acme.example',
        '--imap-password',
        'imap-pw-never-shown',
        '--no-tls',
      ],
      {
        env: {
          ...process.env,
          THROUGHLINE_DATABASE_URL: `sqlite:${join(dir, 'cli.db')}`,
          THROUGHLINE_DEMO: 'false',
          LOG_LEVEL: 'silent',
        },
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout + res.stderr).not.toContain('imap-pw-never-shown');
    expect(res.stdout).not.toContain('webhook URL');
    const id = res.stdout.trim().split('\n').at(-1);
    const db = new SQLite(join(dir, 'cli.db'), { readonly: true });
    const row = db
      .prepare('select config_json, secrets_enc from channels where id = ?')
      .get(id) as {
      config_json: string;
      secrets_enc: string;
    };
    db.close();
    expect(JSON.parse(row.config_json)).toEqual({
      imap: { host: '127.0.0.1', port: 18751, tls: false, user: 'care@acme.example' },
    });
    expect(String(row.secrets_enc)).not.toContain('imap-pw-never-shown');
  });
});
