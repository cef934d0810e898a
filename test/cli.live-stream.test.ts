import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { careWorld } from '../src/cases/test-world.js';
import { logIn, sessionCookie } from './builders.js';
import { ENGINES } from './support/engines.js';
import { readStream } from './support/sse.js';
import { suiteApp } from './support/suite.js';

const BIN = fileURLToPath(new URL('../bin/throughline.js', import.meta.url));

/** How long after the command a stream may take to end: a few seconds. */
const PROMPTLY_MS = 6_000;
/** Each stream's own periodic check (live-stream.ts), which used to be the CLI's only way in. */
const RECHECK_MS = 30_000;

/**
 * `throughline user disable` and `token revoke`, run as the separate process an operator runs
 * against a serving desk's database, end the open live streams they concern within seconds, as
 * the API's routes do, not at the streams' next 30-second check: on PostgreSQL through the bus
 * (the command's NOTIFY), on SQLite through the audit log each server watches.
 */
describe.each(ENGINES)('the CLI ends live streams promptly on %s', (engine) => {
  const t = suiteApp(engine);
  const { api } = careWorld(() => t);
  let base: string;
  beforeAll(async () => {
    base = await t.app.http.listen({ port: 0, host: '127.0.0.1' });
  });

  /** The CLI on the desk's database, in the background so the desk goes on serving. */
  const cli = (...args: string[]) =>
    new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        env: {
          ...process.env,
          THROUGHLINE_DATABASE_URL: t.app.config.databaseUrl,
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d) => {
        stderr += d;
      });
      child.on('error', reject);
      child.on('exit', (code) => resolve({ code, stderr }));
    });
  const open = async (headers: Record<string, string>) => {
    const res = await fetch(`${base}/api/v1/events`, { headers });
    expect(res.status).toBe(200);
    return res.body as ReadableStream<Uint8Array>;
  };

  it('on user disable and token revoke; others go on', async () => {
    const email = `cli-stream-${engine}@example.test`;
    const made = await api('POST', '/api/v1/users', {
      email,
      name: 'Streaming agent',
      role: 'agent',
      password: 'stream password 1',
    });
    expect(made.statusCode, made.body).toBe(201);
    const cookie = sessionCookie(await logIn(t, email, 'stream password 1'));
    const token = await api('POST', '/api/v1/tokens', { name: 'wallboard', role: 'agent' });
    expect(token.statusCode).toBe(201);
    const bystander = await open(t.auth);

    /** Opens a stream, runs the command, and says whether the stream ended, and when. */
    const endsBy = async (headers: Record<string, string>, ...args: string[]) => {
      const stream = await open(headers);
      const opened = Date.now();
      const run = await cli(...args);
      expect(run.code, run.stderr).toBe(0);
      const { ended, text } = await readStream(stream, PROMPTLY_MS);
      if (ended) expect(text).toContain('event: end');
      // Before the stream's own 30-second check could have ended it.
      return { ended, early: Date.now() - opened < RECHECK_MS - 1_000 };
    };
    expect(await endsBy({ cookie }, 'user', 'disable', email)).toEqual({
      ended: true,
      early: true,
    });
    const revoke = ['token', 'revoke', token.json().id];
    const bearer = { authorization: `Bearer ${token.json().token}` };
    expect(await endsBy(bearer, ...revoke)).toEqual({ ended: true, early: true });

    t.app.bus.publish({
      type: 'case.updated',
      workspaceId: t.app.workspace.workspaceId,
      data: { caseId: 'after-the-changes' },
    });
    const other = await readStream(bystander, 2_000, 'after-the-changes');
    expect(other.ended).toBe(false);
    expect(other.text).toContain('after-the-changes');
  });
});
