import type { Kysely } from 'kysely';
import type { App } from '../app.js';
import type { InboundMessage } from '../ingest/inbound.schema.js';
import { type IngestStreamOptions, ingestStream } from '../ingest/ingest-stream.js';
import { PipelineLease } from '../platform/db/pipeline-lease.js';
import type { DB } from '../platform/db/schema.js';
import type { Progress } from '../platform/progress.js';
import { heldUpTo } from '../problems/peer-scan.js';

/**
 * Feeds a one-shot command's messages (`replay`, `simulate` into the desk, `import`) through the
 * inbound log, and returns once every one has been through the detector (or was parked with its
 * reason), so the problems can be read right after.
 *
 * Beside a running server on the same database (its pipeline lease is fresh), the events are
 * appended to the log and the server's pipeline takes them; the command waits until it has.
 * Running a second pipeline and detector beside the server split the traffic between two
 * detectors and gave different problems on every run (and on SQLite, two pipelines writing
 * failed each other's batches with "database is locked"). A command that runs the pipeline
 * holds the same lease, so a second one started meanwhile hands its events to it too. On
 * PostgreSQL the pipeline that takes the events may be a node that does not detect: the
 * command also waits until the detecting node has read what that node held for it, and detects
 * here when no other node does.
 */
interface BesideOptions {
  progress?: Progress;
  speed?: 'max' | number;
  /** `import`: the messages are history (resolved cases, no SLA clocks); `replay` is live. */
  history?: boolean;
  afterAppend?: IngestStreamOptions['afterAppend'];
}

export async function ingestBesideServer(
  app: App,
  messages: AsyncIterable<InboundMessage> | Iterable<InboundMessage>,
  opts: BesideOptions,
): Promise<{ res: { accepted: number; duplicates: number; future: number }; parked: number }> {
  const db = app.database.db;
  const lease = new PipelineLease(db);
  // Interrupted (Ctrl-C): the lease goes with the command, or the next replay or server would
  // take it for a live pipeline and wait for it to go stale. What is logged stays logged; the
  // next pipeline takes it. Listening starts before the lease is taken: a signal between the
  // two (seen under load) otherwise ended the process with the lease left behind.
  let starting: Promise<boolean> = Promise.resolve(false);
  const interrupted = (signal: NodeJS.Signals) => {
    process.stderr.write(
      `${signal}: stopping; events already logged are taken by the next pipeline\n`,
    );
    const exit = () => process.exit(130);
    setTimeout(exit, 3_000).unref();
    void starting
      .catch(() => false)
      .then(() => lease.stop())
      .finally(exit);
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    starting = lease.tryStart();
    const server = !(await starting);
    if (server)
      process.stderr.write(
        'a server runs on this database (or another replay): its pipeline takes the events\n',
      );
    return await feedAndSettle(app, lease, server, messages, opts);
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  }
}

async function feedAndSettle(
  app: App,
  lease: PipelineLease,
  server: boolean,
  messages: AsyncIterable<InboundMessage> | Iterable<InboundMessage>,
  opts: BesideOptions,
): Promise<{ res: { accepted: number; duplicates: number; future: number }; parked: number }> {
  const db = app.database.db;
  const firstSeq = await maxSeq(db, app.workspace.workspaceId);
  const res = await ingestStream(messages, {
    database: app.database,
    workspaceId: app.workspace.workspaceId,
    pipeline: server ? undefined : app.pipeline,
    progress: opts.progress,
    speed: opts.speed ?? 'max',
    skipFuture: true,
    history: opts.history,
    afterAppend: opts.afterAppend,
  });
  if (res.future > 0)
    process.stderr.write(
      `${res.future} messages dated in the future (after now) were left out: the desk takes history and live traffic, not traffic to come\n`,
    );
  const lastSeq = await maxSeq(db, app.workspace.workspaceId);
  const parked = await settle(app, firstSeq, lastSeq, server, lease).finally(async () => {
    // Detection first, then the pipeline: a command waiting to take over leads at once.
    await app.problems.leadership.close();
    await lease.stop();
  });
  return { res, parked };
}

async function maxSeq(db: Kysely<DB>, ws: string): Promise<number> {
  const row = await db
    .selectFrom('inbound_events')
    .select((eb) => eb.fn.max('seq').as('seq'))
    .where('workspace_id', '=', ws)
    .executeTakeFirst();
  return Number(row?.seq ?? 0);
}

/**
 * Waits until no event up to `lastSeq` is pending: drains them here (waiting out the retry of an
 * event whose batch failed), or, beside a running pipeline, until it has taken them; should it
 * stop meanwhile, the rest is drained here. Then until the detector has seen them: messages a
 * node that does not detect held for the detector are read by the detecting node, or here when
 * none does (it stopped). Returns how many of this replay's events (after `firstSeq`) were parked.
 */
async function settle(
  app: App,
  firstSeq: number,
  lastSeq: number,
  server: boolean,
  lease: PipelineLease,
): Promise<number> {
  const db = app.database.db;
  const ws = app.workspace.workspaceId;
  for (;;) {
    if (!server) await app.pipeline.drain();
    const next = await db
      .selectFrom('inbound_events')
      .select((eb) => [eb.fn.countAll().as('n'), eb.fn.min('next_attempt_at').as('due')])
      .where('workspace_id', '=', ws)
      .where('status', '=', 'pending')
      .where('seq', '<=', lastSeq)
      .executeTakeFirstOrThrow();
    if (Number(next.n) === 0) break;
    const wait = server ? 250 : Math.max(50, Math.min(5_000, Number(next.due) - Date.now()));
    await new Promise((r) => setTimeout(r, wait));
    if (server && (await lease.tryStart())) server = false;
  }
  // Shared PostgreSQL only (elsewhere nothing is held): the detecting node reads the held
  // messages on its next batch or timed look; when none detects, this process takes the lead
  // (it retries every few seconds) and reads them itself.
  while ((await heldUpTo(db, ws, lastSeq)) > 0) {
    await app.problems.runtime.catchUp(db, Date.now());
    if ((await heldUpTo(db, ws, lastSeq)) === 0) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  const parked = await db
    .selectFrom('inbound_events')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('workspace_id', '=', ws)
    .where('status', '=', 'parked')
    .where('seq', '>', firstSeq)
    .where('seq', '<=', lastSeq)
    .executeTakeFirstOrThrow();
  return Number(parked.n);
}
