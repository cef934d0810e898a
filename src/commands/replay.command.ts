import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Value } from '@sinclair/typebox/value';
import type { Kysely } from 'kysely';
import type { App } from '../app.js';
import { inboundNulProblem } from '../ingest/inbound.nul.js';
import { type InboundMessage, InboundMessageSchema } from '../ingest/inbound.schema.js';
import { ingestStream } from '../ingest/ingest-stream.js';
import { PipelineLease } from '../platform/db/pipeline-lease.js';
import type { DB } from '../platform/db/schema.js';
import { Progress } from '../platform/progress.js';
import { heldUpTo } from '../problems/peer-scan.js';
import { withApp } from './context.js';

/**
 * `throughline replay <file.jsonl> --speed max|<factor>`: lines in the shape `POST /api/v1/inbound`
 * takes (fields it does not know, such as a simulator's `truth`, are dropped; incident lines of
 * the simulator are skipped), ingested in event-time order through the same log, pipeline and
 * detector as live traffic. When it returns, every event has been through the detector (or was
 * parked with its reason), so the problems can be read right after.
 *
 * Beside a running server on the same database (its pipeline lease is fresh), the events are
 * appended to the log and the server's pipeline takes them; the command waits until it has.
 * Running a second pipeline and detector beside the server split the traffic between two
 * detectors and gave different problems on every run. A replay that runs the pipeline holds the
 * same lease, so a second replay started meanwhile hands its events to it too (on SQLite two
 * pipelines would each detect part of the traffic). On PostgreSQL the pipeline that takes the
 * events may be a node that does not detect: the command also waits until the detecting node
 * has read what that node held for it, and detects here when no other node does.
 */
export async function replayCommand(file: string, opts: { speed: string }) {
  const speed = opts.speed === 'max' ? 'max' : Number(opts.speed);
  if (speed !== 'max' && !(speed > 0))
    throw new Error('--speed must be "max" or a positive factor');
  const { messages, bad, zoneless } = await readReplayFile(file);
  if (zoneless > 0) process.stderr.write(`${zoneless} times without a zone were read as UTC\n`);
  if (messages.length === 0 && bad > 0)
    throw new Error(`no line of ${file} is a message (${bad} bad lines)`);
  // Event-time order (stable, so equal times keep file order). The whole file is held in memory;
  // a multi-million-line replay should be pre-sorted and streamed instead.
  messages.sort((a, b) => Date.parse(a.sentAt) - Date.parse(b.sentAt));
  await withApp(async (app) => {
    const db = app.database.db;
    const lease = new PipelineLease(db);
    const server = !(await lease.tryStart());
    if (server)
      process.stderr.write(
        'a server runs on this database (or another replay): its pipeline takes the events\n',
      );
    const firstSeq = await maxSeq(db, app.workspace.workspaceId);
    const progress = new Progress('replay', messages.length);
    const res = await ingestStream(messages, {
      database: app.database,
      workspaceId: app.workspace.workspaceId,
      pipeline: server ? undefined : app.pipeline,
      progress,
      speed,
    });
    const lastSeq = await maxSeq(db, app.workspace.workspaceId);
    const parked = await settle(app, firstSeq, lastSeq, server, lease).finally(async () => {
      // Detection first, then the pipeline: a replay waiting to take over leads at once.
      await app.problems.leadership.close();
      await lease.stop();
    });
    const p = progress.done();
    process.stdout.write(
      `replayed ${res.accepted} messages (${res.duplicates} duplicates, ${bad} bad lines${parked > 0 ? `, ${parked} parked: see \`throughline parked\`` : ''}) in ${p.seconds.toFixed(1)} s\n`,
    );
  });
}

/** The messages of a replay file, and how many lines were not messages. */
export async function readReplayFile(
  file: string,
): Promise<{ messages: InboundMessage[]; bad: number; zoneless: number }> {
  const messages: InboundMessage[] = [];
  let bad = 0;
  let zoneless = 0;
  let lineNo = 0;
  const rl = createInterface({
    input: createReadStream(file),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  const skip = (why: string) => {
    bad++;
    process.stderr.write(`line ${lineNo}: ${why}, skipped\n`);
  };
  for await (const raw of rl) {
    lineNo++;
    const line = lineNo === 1 ? raw.replace(/^\uFEFF/, '') : raw;
    if (!line.trim()) continue;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      skip('not JSON');
      continue;
    }
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) {
      skip('not a JSON object');
      continue;
    }
    // Incident lines of the simulator carry ground truth for evaluations, not traffic.
    if ((obj as { type?: unknown }).type === 'incident') continue;
    const msg = Value.Clean(InboundMessageSchema, structuredClone(obj)) as Record<string, unknown>;
    if (typeof msg.sentAt === 'string') {
      const t = withZone(msg.sentAt);
      if (t !== msg.sentAt) zoneless++;
      msg.sentAt = t;
    }
    if (!Value.Check(InboundMessageSchema, msg)) {
      const e = Value.Errors(InboundMessageSchema, msg).First();
      skip(e ? `${e.path || '/'} ${e.message}` : 'invalid');
      continue;
    }
    // An identifier with a NUL is refused here, with its reason (text with one is kept as U+FFFD).
    const nul = inboundNulProblem(msg as InboundMessage);
    if (nul) {
      skip(nul);
      continue;
    }
    messages.push(msg as InboundMessage);
  }
  return { messages, bad, zoneless };
}

/**
 * A time written without a zone ("2025-03-04T10:00:00", Python's naive isoformat, or with a space
 * for the T) is read as UTC; the HTTP intake stays strict.
 */
function withZone(t: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/i.exec(t.trim());
  return m ? `${m[1]}T${m[2]}Z` : t;
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
