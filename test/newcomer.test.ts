import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { printedBy } from './support/first-start.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * The newcomer path: `npm start` on an empty data directory must bring up a populated demo desk
 * that can be read through the API with the credentials it prints.
 */
describe('npm start on an empty data directory', () => {
  const dir = mkdtempSync(join(tmpdir(), 'throughline-newcomer-'));
  let child: ChildProcess | null = null;
  afterAll(async () => {
    if (child?.pid && child.exitCode === null) {
      const exited = new Promise((r) => child?.once('exit', r));
      process.kill(-child.pid, 'SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints a URL and one-time credentials, and serves the demo cases', async () => {
    child = spawn('npm', ['start'], {
      cwd: ROOT,
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        THROUGHLINE_DATABASE_URL: `sqlite:${join(dir, 'throughline.db')}`,
        LOG_LEVEL: 'warn',
      },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const printed = printedBy(child);
    const started = Date.now();
    await printed.untilCredentials(90_000, 'server did not come up');
    const out = printed.out();
    const url = /running at (http:\/\/\S+)/.exec(out)?.[1];
    const token = /API token: +(tl_\S+)/.exec(out)?.[1];
    const password = /password: +(\S+)/.exec(out)?.[1];
    expect(url).toBeTruthy();
    expect(password).toMatch(/^\S{20}$/);
    const base = url!.replace('localhost', '127.0.0.1');
    const auth = { authorization: `Bearer ${token}` };

    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    // The printed URL itself answers (someone opens it in a browser) and says where the API is.
    const root = (await (await fetch(base)).json()) as { api: string; openapi: string };
    expect(root).toMatchObject({ api: '/api/v1', openapi: '/api/openapi.json' });
    expect((await fetch(`${base}${root.openapi}`)).status).toBe(200);
    const ws = (await (await fetch(`${base}/api/v1/workspace`, { headers: auth })).json()) as {
      demo: boolean;
    };
    expect(ws.demo).toBe(true);
    const cases = (await (
      await fetch(`${base}/api/v1/cases?limit=200`, { headers: auth })
    ).json()) as {
      items: { id: string; channel: string }[];
    };
    expect(cases.items.length).toBeGreaterThan(100);
    expect(
      new Set(cases.items.map((c: { channel: string }) => c.channel)).size,
    ).toBeGreaterThanOrEqual(5);
    const one = (await (
      await fetch(`${base}/api/v1/cases/${cases.items[0].id}`, { headers: auth })
    ).json()) as { messages: unknown[] };
    expect(one.messages.length).toBeGreaterThan(0);
    // A reply to a simulated customer is recorded as sent by the demo, not retried for hours.
    const sms = cases.items.find((c) => c.channel === 'sms')!;
    const sent = await fetch(`${base}/api/v1/cases/${sms.id}/replies`, {
      method: 'POST',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Thanks for your patience, it is fixed now.' }),
    });
    expect(sent.status).toBe(201);
    const replyId = ((await sent.json()) as { id: string }).id;
    let status = '';
    for (let i = 0; i < 100 && status !== 'sent'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const c = (await (
        await fetch(`${base}/api/v1/cases/${sms.id}`, { headers: auth })
      ).json()) as { messages: { id: string; status: string }[] };
      status = c.messages.find((m) => m.id === replyId)?.status ?? '';
    }
    expect(status).toBe('sent');
    expect(printed.out() + printed.err()).not.toMatch(
      /no sender is configured|names no (X|Meta) channel/,
    );
    // How long this took is a figure for the note, not an assertion (timed checks flake).
    console.log(`newcomer path: demo desk served ${Date.now() - started} ms after npm start`);

    // The printed password is one-time: it signs in, but only to change it.
    const login = await fetch(`${base}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'admin@throughline.local', password }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const blocked = await fetch(`${base}/api/v1/cases`, { headers: { cookie } });
    expect(blocked.status).toBe(403);
    const changed = await fetch(`${base}/api/v1/auth/password`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ currentPassword: password, newPassword: 'a much better password 42' }),
    });
    expect(changed.status).toBe(200);
    expect((await fetch(`${base}/api/v1/cases`, { headers: { cookie } })).status).toBe(200);
    // No secret from the start-up banner leaks into the logs.
    expect(printed.err()).not.toContain(token!);
  });
});
