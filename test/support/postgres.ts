import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './ports.js';

/**
 * A throwaway PostgreSQL cluster for tests and benchmarks: initdb into a temporary folder,
 * start the server on a free loopback port, stop it and delete everything afterwards.
 * Binaries come from THROUGHLINE_PG_BIN or Debian's `postgresql` package
 * (/usr/lib/postgresql/<version>/bin). PostgreSQL refuses to run as root, so as root the
 * cluster runs as the `postgres` OS user that package creates.
 */
export interface PgCluster {
  url: string;
  version: string;
  stop(): Promise<void>;
}

function findBinDir(): string {
  const fromEnv = process.env.THROUGHLINE_PG_BIN;
  if (fromEnv && existsSync(join(fromEnv, 'postgres'))) return fromEnv;
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    const versions = readdirSync(base)
      .filter((v) => existsSync(join(base, v, 'bin', 'postgres')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions.length > 0) return join(base, versions[0], 'bin');
  }
  throw new Error(
    'PostgreSQL server binaries not found: install them (apt-get install -y postgresql) or set THROUGHLINE_PG_BIN',
  );
}

function postgresUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  return { uid, gid };
}

export async function startPostgres(opts: { durable?: boolean } = {}): Promise<PgCluster> {
  const bin = findBinDir();
  const dir = mkdtempSync(join(tmpdir(), 'throughline-pg-'));
  const data = join(dir, 'data');
  const owner = postgresUser();
  if (owner) chownSync(dir, owner.uid, owner.gid);
  const spawnOpts = owner ? { uid: owner.uid, gid: owner.gid } : {};
  execFileSync(
    join(bin, 'initdb'),
    ['-D', data, '-U', 'throughline', '-A', 'trust', '-E', 'UTF8', '--no-locale', '--no-sync'],
    { ...spawnOpts, stdio: 'pipe' },
  );
  const port = await freePort();
  const args = [
    '-D',
    data,
    '-p',
    String(port),
    '-k',
    dir,
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'max_connections=300',
  ];
  // Tests do not need crash durability; benchmarks ask for it to measure honestly.
  if (!opts.durable)
    args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const child: ChildProcess = spawn(join(bin, 'postgres'), args, { ...spawnOpts, stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // A run that ends without its teardown (its output pipe closed under it: `vitest … | head`)
  // must not leave the server running on its own: it goes with the process that started it.
  const orphaned = () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', orphaned);
  const url = `postgres://throughline@127.0.0.1:${port}/postgres`;
  const deadline = Date.now() + 30_000;
  let version = '';
  for (;;) {
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      version = (await client.query('show server_version')).rows[0].server_version;
      await client.end();
      break;
    } catch (err) {
      await client.end().catch(() => {});
      if (Date.now() > deadline || child.exitCode !== null) {
        process.off('exit', orphaned);
        child.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`PostgreSQL did not start: ${(err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return {
    url,
    version,
    async stop() {
      process.off('exit', orphaned);
      // SIGINT = fast shutdown; escalate if it does not exit in time.
      child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Creates a fresh, empty database on the cluster and returns its URL. */
export async function createDatabase(clusterUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: clusterUrl });
  await client.connect();
  try {
    await client.query(`create database "${name.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
  const u = new URL(clusterUrl);
  u.pathname = `/${name}`;
  return u.toString();
}
