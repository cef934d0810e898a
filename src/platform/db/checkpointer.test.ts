import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { startCheckpointer } from './checkpointer.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function walFile() {
  const dir = mkdtempSync(join(tmpdir(), 'tl-ckpt-'));
  dirs.push(dir);
  const path = join(dir, 'a.db');
  const db = new SQLite(path);
  db.pragma('journal_mode = WAL');
  // No automatic checkpoints of its own: only the thread can copy pages back.
  db.pragma('wal_autocheckpoint = 0');
  db.exec('create table t (id integer primary key, body text not null)');
  return { db, path };
}

const until = async (ok: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('WAL checkpointer thread', () => {
  it('starts once the WAL has grown, checkpoints it and raises the main threshold to a backstop', async () => {
    const { db, path } = walFile();
    const thresholds: number[] = [];
    const cp = startCheckpointer({
      path,
      synchronous: 'FULL',
      initialPages: 0,
      backstopPages: 123,
      startBytes: 64 * 1024,
      intervalMs: 20,
      watchMs: 20,
      setAutoCheckpoint: (pages) => {
        thresholds.push(pages);
        return true;
      },
    });
    try {
      const before = statSync(path).size;
      const insert = db.prepare('insert into t (body) values (?)');
      db.transaction(() => {
        for (let i = 0; i < 2000; i++) insert.run('x'.repeat(200));
      })();
      await until(() => thresholds.includes(123));
      // The pages reach the database file although this connection never checkpoints.
      await until(() => statSync(path).size > before + 200_000);
      expect(db.prepare('select count(*) as n from t').get()).toEqual({ n: 2000 });
    } finally {
      await cp.stop();
      db.close();
    }
  });

  it('never starts for a WAL that stays small, and stops cleanly', async () => {
    const { db, path } = walFile();
    const thresholds: number[] = [];
    const cp = startCheckpointer({
      path,
      synchronous: 'NORMAL',
      initialPages: 1000,
      startBytes: 64 * 2 ** 20,
      watchMs: 20,
      setAutoCheckpoint: (pages) => {
        thresholds.push(pages);
        return true;
      },
    });
    db.prepare('insert into t (body) values (?)').run('small');
    await new Promise((r) => setTimeout(r, 150));
    await cp.stop();
    expect(thresholds).toEqual([]);
    db.close();
  });

  it('keeps the process alive until stop() settled (nothing else holds the event loop)', () => {
    const { db, path } = walFile();
    db.close();
    const script = `
      import SQLite from 'better-sqlite3';
      import { startCheckpointer } from ${JSON.stringify(new URL('./checkpointer.ts', import.meta.url).href)};
      const db = new SQLite(${JSON.stringify(path)});
      db.pragma('wal_autocheckpoint = 0');
      const cp = startCheckpointer({ path: ${JSON.stringify(path)}, synchronous: 'FULL', initialPages: 0,
        startBytes: 1, watchMs: 10, intervalMs: 10, setAutoCheckpoint: () => true });
      const insert = db.prepare('insert into t (body) values (?)');
      for (let i = 0; i < 200; i++) insert.run('y'.repeat(100));
      await new Promise((r) => setTimeout(r, 40)); // the thread is still starting
      await cp.stop();
      db.close();
      console.log('closed');
    `;
    const out = execFileSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        encoding: 'utf8',
      },
    );
    expect(out.trim()).toBe('closed');
  });
});
