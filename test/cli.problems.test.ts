import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forTerminal, jsonLine } from '../src/commands/terminal.js';
import { insertProblem } from '../src/problems/problem.store.js';
import { aProblem } from '../src/problems/test-world.js';
import { listScenarios } from '../src/simulate/scenarios.js';
import { type TestApp, testApp } from './builders.js';

const BIN = fileURLToPath(new URL('../bin/throughline.js', import.meta.url));

/** Terminal control characters: C0 but tab and newline, DEL, C1. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the test looks for them.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** A title a customer or an agent could have written, with escape sequences in it. */
const HOSTILE_TITLE =
  'Outage\u001b]0;pwned\u0007 in \u001b[31mRed\u001b[0m\u009b2J\u001bc\u0008 Hook\nCity\u0000';

describe('terminal-safe text', () => {
  it('takes out escape sequences and control characters, keeping the words apart', () => {
    expect(forTerminal(HOSTILE_TITLE)).toBe('Outage in Red Hook City');
    expect(forTerminal('plain “text”, 94110 ✓')).toBe('plain “text”, 94110 ✓');
    expect(forTerminal('tab\there\r\nnext')).toBe('tab here next');
  });

  it('JSON lines escape C1 controls and DEL too, and parse back to the same value', () => {
    const v = { title: HOSTILE_TITLE, n: 1 };
    const line = jsonLine(v);
    expect(line).not.toMatch(CONTROL);
    expect(JSON.parse(line)).toEqual(v);
  });
});

/** QA defect 13: `throughline problems …` against the API it mirrors. */
describe('throughline problems', () => {
  let t: TestApp;
  let url: string;
  let ids: string[];
  const run = (args: string[]) =>
    spawnSync(process.execPath, [BIN, ...args], {
      env: { ...process.env, THROUGHLINE_DATABASE_URL: url, LOG_LEVEL: 'warn' },
      encoding: 'utf8',
      timeout: 120_000,
    });
  const api = async (path: string) => {
    const res = await t.app.http.inject({ method: 'GET', url: path, headers: t.auth });
    return { status: res.statusCode, body: res.json() };
  };

  beforeAll(async () => {
    t = await testApp('sqlite');
    url = t.app.config.databaseUrl;
    const db = t.app.database.db;
    const ws = t.app.workspace.workspaceId;
    const at = Date.parse('2026-05-04T10:00:00Z');
    ids = [];
    for (const [i, title] of ['Older outage', HOSTILE_TITLE, 'Newest outage'].entries()) {
      const p = await insertProblem(
        db,
        ws,
        aProblem(at + i * 60_000, {
          kind: 'manual',
          status: 'confirmed',
          title,
          signature: { keys: [], terms: [], teamId: null, human: true },
        }),
        at + i * 60_000,
      );
      ids.push(p.id);
    }
  });
  afterAll(async () => {
    await t?.close();
  });

  it('on a database file that is not there says so, and makes no empty desk', () => {
    const missing = join(tmpdir(), `throughline-missing-${process.pid}`, 'typo.db');
    for (const args of [['problems', 'list'], ['parked']]) {
      const res = spawnSync(process.execPath, [BIN, ...args], {
        env: { ...process.env, THROUGHLINE_DATABASE_URL: `sqlite:${missing}`, LOG_LEVEL: 'warn' },
        encoding: 'utf8',
      });
      expect(res.status).toBe(1);
      expect(res.stderr).toMatch(/no desk at .*typo\.db: the database file does not exist/);
    }
    expect(existsSync(dirname(missing))).toBe(false);
  });

  it('an unknown status is the API error and a non-zero exit', async () => {
    const fromApi = await api('/api/v1/problems?status=bogus');
    expect(fromApi.status).toBe(400);
    const res = run(['problems', 'list', '--status', 'bogus']);
    expect(res.status).toBe(1);
    expect(res.stdout).toBe('');
    expect(res.stderr).toBe(`error: ${fromApi.body.error.message}\n`);
  });

  it('--json prints the API problem shape, in its order (newest first)', async () => {
    const fromApi = await api('/api/v1/problems');
    const res = run(['problems', 'list', '--json']);
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).not.toMatch(CONTROL);
    const lines = res.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toEqual(fromApi.body.items);
    expect(lines.map((p) => p.id)).toEqual([...ids].reverse());
    expect(lines[0]).toHaveProperty('customerCount', 0);
    expect(lines[0]).toHaveProperty('caseIds', []);
    expect(lines[0]).not.toHaveProperty('customers');
    expect(lines[1].title).toBe(HOSTILE_TITLE);
  });

  it("takes the API's topic, area and owner filters, and its errors", async () => {
    const ids_ = (r: ReturnType<typeof run>) =>
      r.stdout
        .trim()
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l).id);
    const outage = run(['problems', 'list', '--topic', 'outage', '--json']);
    expect(outage.status, outage.stderr).toBe(0);
    expect(ids_(outage)).toEqual([...ids].reverse());
    const billing = run(['problems', 'list', '--topic', 'billing', '--json']);
    expect(billing.status, billing.stderr).toBe(0);
    expect(ids_(billing)).toEqual([]);
    const owned = run(['problems', 'list', '--owner', 'Billing', '--json']);
    expect(owned.status, owned.stderr).toBe(0);
    expect(ids_(owned)).toEqual([]);
    const placed = run(['problems', 'list', '--area', 'Austin, TX', '--json']);
    expect(placed.status, placed.stderr).toBe(0);
    expect(ids_(placed)).toEqual([]);
    const fromApi = await api('/api/v1/problems?topic=bogus');
    expect(fromApi.status).toBe(400);
    const bad = run(['problems', 'list', '--topic', 'bogus']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe(`error: ${fromApi.body.error.message}\n`);
  });

  it('prints titles without terminal control characters, newest first', () => {
    const res = run(['problems', 'list', '--status', 'confirmed']);
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).not.toMatch(CONTROL);
    const rows = res.stdout.trim().split('\n');
    expect(rows.map((r) => r.split('\t').at(-1))).toEqual([...ids].reverse());
    expect(rows[1].split('\t')[4]).toBe('Outage in Red Hook City');
  });

  it('help says newest first, and simulate lists every scenario', () => {
    const list = run(['problems', 'list', '--help']);
    expect(list.stdout).toMatch(/newest first/);
    expect(list.stdout).not.toMatch(/oldest/);
    const sim = run(['simulate', '--help']).stdout;
    for (const s of listScenarios()) expect(sim).toContain(s.name);
    expect(sim).toMatch(/\beval\b/);
  });

  it('status --eta sets the etaAt the API shows; a bad --eta is refused', async () => {
    // Tomorrow at 18:30 UTC, written with a +02:00 offset (an ETA must lie ahead).
    const day = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const eta = `${day}T18:30:00.000Z`;
    const bad = run(['problems', 'status', ids[0], 'fixing', '--eta', 'tonight']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/--eta must be an ISO-8601 date-time/);
    expect((await api(`/api/v1/problems/${ids[0]}`)).body.status).toBe('confirmed');
    const res = run(['problems', 'status', ids[0], 'fixing', '--eta', `${day}T20:30:00+02:00`]);
    expect(res.status, res.stderr).toBe(0);
    expect(res.stdout).toContain(`is fixing, expected ${eta};`);
    const shown = (await api(`/api/v1/problems/${ids[0]}`)).body;
    expect({ status: shown.status, etaAt: shown.etaAt }).toEqual({ status: 'fixing', etaAt: eta });
  });

  it('status takes the number the list shows (#12 or 12) as well as the id', async () => {
    const { number } = (await api(`/api/v1/problems/${ids[2]}`)).body as { number: number };
    const res = run(['problems', 'status', `#${number}`, 'fixing']);
    expect(res.status, res.stderr).toBe(0);
    expect((await api(`/api/v1/problems/${ids[2]}`)).body.status).toBe('fixing');
    const none = run(['problems', 'status', '999999', 'fixing']);
    expect(none.status).toBe(1);
    expect(none.stderr).toMatch(/problem #999999 not found/);
  });
});

/** QA: a list longer than a pipe holds, read by a reader that leaves early. */
describe('throughline problems list | head', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp('sqlite');
    const at = Date.parse('2026-05-04T10:00:00Z');
    // About 1 kB each as JSON: 150 of them overflow the 64 kB pipe buffer.
    for (let i = 0; i < 150; i++)
      await insertProblem(
        t.app.database.db,
        t.app.workspace.workspaceId,
        {
          kind: 'manual',
          status: 'confirmed',
          title: `Outage ${i} ${'x'.repeat(400)}`,
          topic: 'outage',
          area: null,
          areaKey: null,
          signature: { keys: [], terms: [], teamId: null, human: true },
          owner: null,
          baseline: null,
          detectedAt: at + i,
          firstEventAt: at + i,
        },
        at + i,
      );
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stops quietly when its reader goes away', () => {
    const env = { ...process.env, THROUGHLINE_DATABASE_URL: t.app.config.databaseUrl };
    const piped = spawnSync(
      'bash',
      [
        '-c',
        `"${process.execPath}" "${BIN}" problems list --json | head -c 100 >/dev/null; echo "exit=\${PIPESTATUS[0]}" >&2`,
      ],
      { env: { ...env, LOG_LEVEL: 'warn' }, encoding: 'utf8', timeout: 120_000 },
    );
    expect(piped.stderr).not.toMatch(/EPIPE|Error/);
    expect(piped.stderr).toMatch(/exit=0/);
    const plain = spawnSync(process.execPath, [BIN, 'problems', 'list'], {
      env: { ...env, LOG_LEVEL: 'warn' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/\t0 customers\t/);
  });
});
