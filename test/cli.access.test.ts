import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { verifyPassword } from '../src/platform/auth/passwords.js';

const BIN = fileURLToPath(new URL('../bin/throughline.js', import.meta.url));

/** Users and tokens from the CLI, on the server's own database, as an operator would. */
describe('the CLI manages tokens and users', () => {
  const dir = mkdtempSync(join(tmpdir(), 'throughline-cli-access-'));
  const file = join(dir, 'cli.db');
  const run = (args: string[]) =>
    spawnSync(process.execPath, [BIN, ...args], {
      env: { ...process.env, THROUGHLINE_DATABASE_URL: `sqlite:${file}`, LOG_LEVEL: 'warn' },
      encoding: 'utf8',
      timeout: 120_000,
    });
  const rows = <T>(query: string, ...params: unknown[]) => {
    const db = new SQLite(file, { readonly: true });
    try {
      return db.prepare(query).all(...params) as T[];
    } finally {
      db.close();
    }
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('creates a token with an expiry, lists it without its secret, revokes it', () => {
    const made = run([
      'token',
      'create',
      '--name',
      'deploy',
      '--role',
      'agent',
      '--expires-in',
      '30d',
    ]);
    expect(made.status, made.stderr).toBe(0);
    const secret = made.stdout.trim();
    const [row] = rows<{ id: string; expires_at: number; created_at: number }>(
      "select id, expires_at, created_at from api_tokens where name = 'deploy'",
    );
    expect(row.expires_at - row.created_at).toBe(30 * 86_400_000);
    expect(run(['token', 'create', '--name', 'x', '--expires-in', 'soon']).status).not.toBe(0);
    const list = run(['token', 'list', '--json']);
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout).not.toContain(secret);
    expect(JSON.parse(list.stdout.trim().split('\n')[0])).toMatchObject({
      id: row.id,
      name: 'deploy',
      active: true,
    });
    const revoked = run(['token', 'revoke', row.id]);
    expect(revoked.status, revoked.stderr).toBe(0);
    expect(revoked.stdout).toMatch(/revoked/);
    expect(
      rows<{ revoked_at: number }>('select revoked_at from api_tokens where id = ?', row.id)[0]
        .revoked_at,
    ).toBeGreaterThan(0);
    expect(run(['token', 'revoke', 'nope']).status).not.toBe(0);
  });

  it('refuses an expiry past 10 years, storing nothing, and lists a bad stored one', () => {
    const huge = run(['token', 'create', '--name', 'huge', '--expires-in', '100000000d']);
    expect(huge.status).not.toBe(0);
    expect(huge.stderr).toMatch(/--expires-in may be at most 3650d/);
    expect(rows("select id from api_tokens where name = 'huge'")).toEqual([]);
    expect(run(['token', 'create', '--name', 'long', '--expires-in', '3650d']).status).toBe(0);
    // A row an older release let in, with an expiry no date can show: the list still works.
    const db = new SQLite(file);
    db.prepare("update api_tokens set expires_at = ? where name = 'long'").run(
      8_640_000_000_000_001,
    );
    db.close();
    const list = run(['token', 'list', '--json']);
    expect(list.status, list.stderr).toBe(0);
    const long = list.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((t) => t.name === 'long');
    expect(long).toMatchObject({ expiresAt: null, active: true });
    expect(run(['token', 'list']).status).toBe(0);
  });

  it('makes a token for an integration, a role no user can have', () => {
    const made = run(['token', 'create', '--name', 'chat backend', '--role', 'integration']);
    expect(made.status, made.stderr).toBe(0);
    expect(
      rows<{ role: string }>("select role from api_tokens where name = 'chat backend'")[0].role,
    ).toBe('integration');
    const user = run(['user', 'create', '--email', 'bot@example.com', '--role', 'integration']);
    expect(user.status).not.toBe(0);
    expect(user.stderr).toMatch(/--role must be one of admin, supervisor, agent$/m);
  });

  it('changes a role, disables and enables a user by e-mail', () => {
    expect(run(['user', 'create', '--email', 'ann@example.com', '--role', 'agent']).status).toBe(0);
    const role = run(['user', 'role', 'ann@example.com', 'supervisor']);
    expect(role.status, role.stderr).toBe(0);
    expect(role.stdout).toMatch(/supervisor/);
    const off = run(['user', 'disable', 'ann@example.com']);
    expect(off.status, off.stderr).toBe(0);
    const [u] = rows<{ role: string; disabled_at: number | null }>(
      "select role, disabled_at from users where email = 'ann@example.com'",
    );
    expect(u.role).toBe('supervisor');
    expect(u.disabled_at).toBeGreaterThan(0);
    expect(run(['user', 'enable', 'ann@example.com']).status).toBe(0);
    expect(run(['user', 'list', '--json']).stdout).toContain('"disabledAt":null');
    expect(run(['user', 'role', 'ann@example.com', 'boss']).status).not.toBe(0);
  });

  it("lists a disabled user's token as suspended, and active again once they are enabled", () => {
    expect(run(['user', 'create', '--email', 'tess@example.com', '--role', 'agent']).status).toBe(
      0,
    );
    expect(run(['token', 'create', '--name', 'tess-feed', '--role', 'agent']).status).toBe(0);
    // Made through the API by Tess (the CLI's own tokens have no owner).
    const db = new SQLite(file);
    db.prepare(
      "update api_tokens set user_id = (select id from users where email = 'tess@example.com') where name = 'tess-feed'",
    ).run();
    db.close();
    const line = () =>
      run(['token', 'list'])
        .stdout.split('\n')
        .find((l) => l.includes('tess-feed'));
    expect(line()).toMatch(/ active /);
    expect(run(['user', 'disable', 'tess@example.com']).status).toBe(0);
    expect(line()).toMatch(/ suspended \(owner disabled\) /);
    const json = run(['token', 'list', '--json'])
      .stdout.trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((t) => t.name === 'tess-feed');
    expect(json).toMatchObject({ active: false, ownerDisabled: true, effectiveRole: null });
    expect(run(['user', 'enable', 'tess@example.com']).status).toBe(0);
    expect(line()).toMatch(/ active /);
  });

  it('resets a password: a one-time password alone on stdout, audited, never stored plain', async () => {
    const made = run([
      'user',
      'create',
      '--email',
      'rico@example.com',
      '--password',
      'the old one!',
    ]);
    expect(made.status, made.stderr).toBe(0);
    const reset = run(['user', 'password-reset', 'rico@example.com']);
    expect(reset.status, reset.stderr).toBe(0);
    const otp = reset.stdout.trim();
    expect(otp).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(reset.stderr).toMatch(/rico@example\.com\): password reset/);
    const [u] = rows<{ id: string; password_hash: string; must_change_password: number }>(
      "select id, password_hash, must_change_password from users where email = 'rico@example.com'",
    );
    expect(u.must_change_password).toBe(1);
    expect(await verifyPassword(otp, u.password_hash)).toBe(true);
    expect(await verifyPassword('the old one!', u.password_hash)).toBe(false);
    const entries = rows<{ actor_type: string; data_json: string }>(
      "select actor_type, data_json from audit_log where action = 'user.password_reset' and target = ?",
      u.id,
    );
    expect(entries).toEqual([{ actor_type: 'cli', data_json: '{"endedSessions":0}' }]);
    expect(run(['user', 'password-reset', 'nobody@example.com']).status).not.toBe(0);
  });

  it('records CLI actions in the audit log with the OS user, not as the system', () => {
    const entries = rows<{ action: string; actor_type: string; actor_id: string | null }>(
      "select action, actor_type, actor_id from audit_log where action in ('api_token.created', 'api_token.revoked', 'user.created', 'user.role_changed', 'user.disabled')",
    );
    expect(entries.length).toBeGreaterThanOrEqual(5);
    for (const e of entries) {
      expect(e.actor_type).toBe('cli');
      expect(e.actor_id).toBeTruthy();
    }
  });

  it('exports and erases a customer (erasure wants --yes)', () => {
    // Run alone (-t), the desk does not exist yet.
    if (!existsSync(file)) expect(run(['token', 'create', '--name', 'setup']).status).toBe(0);
    const db = new SQLite(file);
    const ws = (db.prepare('select id from workspaces').get() as { id: string }).id;
    db.prepare(
      `insert into customers (id, workspace_id, display_name, location, reach, merged_into, created_at, updated_at)
       values ('c-cli-1', ?, 'Marguerite Vell', 'Leeds', 0, null, 1, 1)`,
    ).run(ws);
    db.close();
    const exported = run(['customer', 'export', 'c-cli-1']);
    expect(exported.status, exported.stderr).toBe(0);
    expect(JSON.parse(exported.stdout).customers[0].display_name).toBe('Marguerite Vell');
    expect(run(['customer', 'erase', 'c-cli-1']).status).not.toBe(0);
    const erased = run(['customer', 'erase', 'c-cli-1', '--yes']);
    expect(erased.status, erased.stderr).toBe(0);
    const [c] = rows<{ display_name: string; location: string | null }>(
      "select display_name, location from customers where id = 'c-cli-1'",
    );
    expect(c).toEqual({ display_name: '[erased]', location: null });
    const [entry] = rows<{ actor_type: string }>(
      "select actor_type from audit_log where action = 'customer.erased' and target = 'c-cli-1'",
    );
    expect(entry.actor_type).toBe('cli');
  });
});
