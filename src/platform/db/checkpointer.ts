import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints of a busy SQLite file, on a thread of their own.
 *
 * With automatic checkpoints the commit that crosses `wal_autocheckpoint` copies the whole WAL
 * back into the database file and syncs it, on the connection's thread: every few pipeline
 * batches one commit took 100–250 ms more, and the main thread (HTTP intake, the pipeline, the
 * scheduler: better-sqlite3 is synchronous) waited for the disk meanwhile. Here a second
 * connection in a worker thread runs `PRAGMA wal_checkpoint(PASSIVE)` every `intervalMs`, which
 * never blocks the writer, and the main connection keeps a far larger automatic threshold only
 * as a backstop (a stalled or failed thread still leaves the WAL bounded).
 *
 * The thread starts only once the WAL has grown past `startBytes`: a CLI command or a quiet
 * desk never needs it, and neither does a test database.
 */
export interface CheckpointerOptions {
  /** The database file (WAL mode). */
  path: string;
  /** The `synchronous` level the checkpoints sync with (as the main connection's). */
  synchronous: 'FULL' | 'NORMAL';
  /** Sets the main connection's automatic threshold (pages); false if it was busy just then. */
  setAutoCheckpoint: (pages: number) => boolean;
  /** The main connection's own threshold (pages), restored if the thread fails. */
  initialPages: number;
  /** The main connection's threshold once the thread runs (pages). */
  backstopPages?: number;
  /** WAL size that starts the thread. */
  startBytes?: number;
  /** How often the thread checkpoints. */
  intervalMs?: number;
  /** How often the WAL's size is looked at until then. */
  watchMs?: number;
}

// A plain script (no TypeScript loader needed in the thread): opens its own connection and
// checkpoints passively until told to stop.
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.path);
db.pragma('synchronous = ' + workerData.synchronous);
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
}, workerData.intervalMs);
parentPort.on('message', () => {
  clearInterval(timer);
  try { db.close(); } catch {}
  parentPort.close();
});
parentPort.postMessage('ready');
`;

export interface Checkpointer {
  /** Stops the thread and closes its connection (before the main connection closes). */
  stop(): Promise<void>;
}

export function startCheckpointer(opts: CheckpointerOptions): Checkpointer {
  const startBytes = opts.startBytes ?? 16 * 2 ** 20;
  const backstop = opts.backstopPages ?? 40_000;
  let worker: Worker | null = null;
  /** The main connection's threshold wanted now (the backstop while the thread runs). */
  let wanted = opts.initialPages;
  let applied = opts.initialPages;
  let failed = false;
  let stopped = false;
  const apply = () => {
    if (wanted !== applied && opts.setAutoCheckpoint(wanted)) applied = wanted;
  };
  const watch = setInterval(() => {
    apply();
    if (worker || failed) return;
    let size = 0;
    try {
      size = statSync(`${opts.path}-wal`).size;
    } catch {
      return;
    }
    if (size >= startBytes) worker = spawn();
  }, opts.watchMs ?? 1000);
  watch.unref();

  const spawn = () => {
    const w = new Worker(THREAD, {
      eval: true,
      workerData: {
        module: createRequire(import.meta.url).resolve('better-sqlite3'),
        path: opts.path,
        synchronous: opts.synchronous,
        intervalMs: opts.intervalMs ?? 1000,
      },
    });
    // Never keeps the process alive; the backstop threshold is set only once it answered.
    w.unref();
    w.once('message', () => {
      if (stopped) return;
      wanted = backstop;
      apply();
    });
    // A thread that fails leaves checkpoints to the main connection again, as before.
    w.on('error', () => {});
    w.once('exit', () => {
      if (stopped) return;
      failed = true;
      worker = null;
      wanted = opts.initialPages;
      apply();
    });
    return w;
  };

  return {
    async stop() {
      stopped = true;
      clearInterval(watch);
      const w = worker;
      worker = null;
      if (!w) return;
      // Held (ref) while it stops: an unreferenced thread and timer alone would let the process
      // exit with the caller's close() never settled.
      w.ref();
      const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
      w.postMessage('stop');
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 2000)))]);
      clearTimeout(timer);
      await w.terminate();
    },
  };
}
