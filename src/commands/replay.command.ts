import { channelIdProblem, channelKinds } from '../ingest/inbound.channels.js';
import type { InboundMessage } from '../ingest/inbound.schema.js';
import { Progress } from '../platform/progress.js';
import { ingestBesideServer } from './beside-server.js';
import { withApp } from './context.js';
import { DifferingDuplicates } from './replay.duplicates.js';
import {
  type LinedMessage,
  newTally,
  type ReaderOptions,
  replayMessages,
  type Tally,
} from './replay.reader.js';
import { forTerminal } from './terminal.js';

/**
 * `throughline replay <file.jsonl> --speed max|<factor>`: lines in the shape `POST /api/v1/inbound`
 * takes (a message or a batch `{"messages": [...]}`; fields it does not know, such as a
 * simulator's `truth`, are dropped; incident lines of the simulator are skipped), ingested in
 * event-time order through the same log, pipeline and detector as live traffic. When it returns,
 * every event has been through the detector (or was parked with its reason), so the problems can
 * be read right after.
 *
 * Beside a running server the server's pipeline takes the events (`beside-server.ts`).
 */
export async function replayCommand(file: string, opts: { speed: string }) {
  const speed = opts.speed === 'max' ? 'max' : Number(opts.speed);
  if (speed !== 'max' && !(speed > 0))
    throw new Error('--speed must be "max" or a positive factor');
  // A first pass checks every line (its complaints printed once) and whether the file is in
  // event-time order. In order (as `simulate` writes it), the second pass streams: a file of
  // millions of lines needs no more memory than a chunk. Out of order, the messages are held in
  // memory and sorted (stable, so equal times keep file order). The first pass runs before the
  // desk is opened (a file with no message is refused without creating one); the second also
  // checks each `channelId` against the desk's channels, so what counts lines taken (the
  // progress total, the not-UTF-8 warning) leaves out the lines the desk refuses.
  const scan = await scanReplayFile(file);
  const { zoneless, count } = scan;
  if (zoneless > 0)
    process.stderr.write(
      `${zoneless} ${zoneless === 1 ? 'time without a zone was' : 'times without a zone were'} read as UTC\n`,
    );
  if (count === 0) throw new Error(noMessage(file, scan));
  await withApp(async (app) => {
    const ws = app.workspace.workspaceId;
    const second = newTally();
    const channels = await channelKinds(app.database.db, ws);
    const reader: ReaderOptions = { quiet: true, tally: second, channels };
    let lined: AsyncIterable<LinedMessage> | LinedMessage[];
    if (scan.inOrder) {
      lined = replayMessages(file, reader);
    } else {
      process.stderr.write(
        `${file} is not in event-time order: its ${count} messages are sorted in memory\n`,
      );
      lined = (await readLined(file, reader)).lined;
      lined.sort((a, b) => Date.parse(a.message.sentAt) - Date.parse(b.message.sentAt));
    }
    // The line of each message, for naming it in the duplicates warning (gone with the message).
    const lineOf = new WeakMap<InboundMessage, number>();
    let fed = 0;
    async function* messages() {
      for await (const l of lined) {
        lineOf.set(l.message, l.line);
        fed++;
        yield l.message;
      }
    }
    const differing = new DifferingDuplicates(app.database.db, ws, (m) => lineOf.get(m));
    // Only the messages that will be taken: lines refused for their `channelId` are not.
    const progress = new Progress('replay', count - refusedForChannel(scan.channelIds, channels));
    const { res, parked } = await ingestBesideServer(app, messages(), {
      progress,
      speed,
      afterAppend: (chunk, r) => differing.check(chunk, r),
    });
    const p = progress.done();
    // Every message had a channelId the desk does not have: as a file with no message.
    if (fed === 0) {
      const first = [scan.first, second.first].filter((f) => f !== undefined);
      first.sort((a, b) => a.line - b.line);
      throw new Error(
        noMessage(file, { ...scan, bad: scan.bad + second.channels, first: first[0] }),
      );
    }
    // Every message was dated after this machine's clock: left out (`ingestStream`
    // `skipFuture`), the desk is as it was. A success code then told a checker that dates its
    // scenarios ahead of its clock that an empty desk had taken them.
    if (res.accepted + res.duplicates === 0 && res.future > 0)
      throw new Error(allInTheFuture(file, res.future, scan.earliest));
    // Said from the second pass: the first could not know which lines the desk refuses.
    const notUtf8 = notUtf8Warning(second);
    if (notUtf8) process.stderr.write(`${notUtf8}\n`);
    const warning = differing.warning();
    if (warning) process.stderr.write(`${forTerminal(warning)}\n`);
    const bad = scan.bad + second.channels;
    const future = res.future > 0 ? `, ${res.future} dated in the future left out` : '';
    process.stdout.write(
      `replayed ${res.accepted} messages (${res.duplicates} duplicates, ${bad} bad lines${future}${parked > 0 ? `, ${parked} parked: see \`throughline parked\`` : ''}) in ${p.seconds.toFixed(1)} s\n`,
    );
  });
}

/**
 * What the first pass knows of the lines naming a `channelId`: how many messages are on lines
 * naming each set of (channel, channelId) pairs. The desk, opened later, refuses some of those
 * lines whole; one entry per distinct set keeps this small however long the file is.
 */
type ChannelIdLines = Map<
  string,
  { pairs: [InboundMessage['channel'], string][]; messages: number }
>;

/**
 * How many lines of a replay file are messages, how many are not, whether times ascend, and the
 * messages on lines that name a `channelId` (`refusedForChannel` settles them).
 */
async function scanReplayFile(
  file: string,
): Promise<
  Tally & { count: number; inOrder: boolean; channelIds: ChannelIdLines; earliest: number }
> {
  const tally = newTally();
  const channelIds: ChannelIdLines = new Map();
  let count = 0;
  let earliest = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  let inOrder = true;
  // The messages of one line come one after the other: gathered, then noted once per line.
  let line = -1;
  let onLine: InboundMessage[] = [];
  const noteLine = () => {
    const pairs = new Map<string, [InboundMessage['channel'], string]>();
    for (const m of onLine)
      if (m.channelId) pairs.set(`${m.channel}\u0000${m.channelId}`, [m.channel, m.channelId]);
    if (pairs.size === 0) return;
    const key = [...pairs.keys()].sort().join('\u0001');
    const seen = channelIds.get(key) ?? { pairs: [...pairs.values()], messages: 0 };
    seen.messages += onLine.length;
    channelIds.set(key, seen);
  };
  for await (const { message, line: at } of replayMessages(file, { tally })) {
    if (at !== line) {
      noteLine();
      line = at;
      onLine = [];
    }
    onLine.push(message);
    count++;
    const t = Date.parse(message.sentAt);
    if (t < earliest) earliest = t;
    if (t < last) inOrder = false;
    else last = t;
  }
  noteLine();
  return { count, ...tally, inOrder, channelIds, earliest };
}

/** How many messages the desk will refuse for a `channelId` (their whole line is refused). */
function refusedForChannel(lines: ChannelIdLines, kinds: ReadonlyMap<string, string>): number {
  let n = 0;
  for (const { pairs, messages } of lines.values()) {
    if (pairs.some(([channel, channelId]) => channelIdProblem({ channel, channelId }, kinds)))
      n += messages;
  }
  return n;
}

async function readLined(
  file: string,
  opts: ReaderOptions,
): Promise<{ lined: LinedMessage[]; tally: Tally }> {
  const tally = opts.tally ?? newTally();
  const lined: LinedMessage[] = [];
  for await (const l of replayMessages(file, { ...opts, tally })) lined.push(l);
  return { lined, tally };
}

/** The messages of a replay file, and how many lines were not messages (held in memory). */
export async function readReplayFile(
  file: string,
  opts: { quiet?: boolean } = {},
): Promise<{ messages: InboundMessage[]; bad: number; zoneless: number; notUtf8: number }> {
  const { lined, tally } = await readLined(file, opts);
  return {
    messages: lined.map((l) => l.message),
    bad: tally.bad,
    zoneless: tally.zoneless,
    notUtf8: tally.notUtf8.count,
  };
}

/**
 * Bytes that are not UTF-8 (a Latin-1 `café`) are read as U+FFFD, as `import twcs` reads them;
 * said, as it says them, so the text is not changed without a word.
 */
function notUtf8Warning(t: Tally): string | null {
  const { count, lines } = t.notUtf8;
  if (count === 0) return null;
  const more = count > lines.length ? ', …' : '';
  return `${count} line${count === 1 ? '' : 's'} held bytes that are not valid UTF-8, read as U+FFFD (\uFFFD): line${count === 1 ? '' : 's'} ${lines.join(', ')}${more}; save the file as UTF-8`;
}

/**
 * Why a replay that took no message because all were dated after this machine's clock fails:
 * a live desk's event time must not run ahead of now (`ingest-stream.ts` `skipFuture`).
 */
function allInTheFuture(file: string, future: number, earliest: number): string {
  const first = Number.isFinite(earliest) ? new Date(earliest).toISOString() : '?';
  return `no line of ${file} was taken: its ${future} message${future === 1 ? ' is' : 's are'} dated after this machine's clock (the earliest ${first}, now ${new Date().toISOString()}), and the desk takes history and live traffic, not traffic to come; date the file before now`;
}

/**
 * Why a file with no message is refused: an empty file is not one full of lines that are not
 * messages (a file of the simulator's incident lines only said "has no lines").
 */
function noMessage(file: string, t: Tally): string {
  if (!t.first) return `${file} has no lines`;
  const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const counts = [
    t.bad > 0 ? plural(t.bad, 'bad line') : '',
    t.incidents > 0 ? `${plural(t.incidents, 'incident line')} of the simulator` : '',
  ].filter(Boolean);
  return `no line of ${file} is a message (${counts.join(', ')}); the first, line ${t.first.line}: ${forTerminal(t.first.why)}`;
}
