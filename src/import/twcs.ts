/**
 * The twcs importer: Kaggle "Customer Support on Twitter" CSV → normalised `InboundMessage`s on
 * channel `x`, in an order the pipeline can thread (every parent before its replies).
 *
 * Memory: the file is read fully (rows, thread index, sort). That is right for the 5,000-row
 * samples; for the full ~2.8M-row corpus see the note on `parseTwcsFile`.
 */
import type { InboundMessage } from '../ingest/inbound.schema.js';
import { type AnonymisedAgents, detectAnonymisedAgents, twcsBrandAccounts } from './twcs.brands.js';
import { parseTwcsFile, type TwcsRow, type TwcsWarning } from './twcs.rows.js';
import { normaliseTweetText } from './twcs.text.js';
import { computeTwcsThreads, type TwcsThreads } from './twcs.threads.js';

export { detectAnonymisedAgents, hasAgentSignature, twcsBrandAccounts } from './twcs.brands.js';
export { TwcsJoinedRowsError } from './twcs.joined.js';
export {
  parseTwcsFile,
  parseTwcsText,
  type TwcsRow,
  TwcsUnclosedQuoteError,
  type TwcsWarning,
} from './twcs.rows.js';
export { decodeHtmlEntities, parseTwitterDate } from './twcs.text.js';
export { computeTwcsThreads, type TwcsThreads } from './twcs.threads.js';

export interface TwcsImportOptions {
  /** Called once per skipped record or ordering anomaly; the import goes on. */
  onWarning?: (warning: TwcsWarning) => void;
  /** Treat anonymised brand agents (see twcs.brands.ts) as the brand: direction `out`. Default true. */
  detectAnonymisedAgents?: boolean;
}

export interface TwcsImport {
  /** Messages in pipeline order: by created_at, then tweet id, parents always before replies. */
  messages: InboundMessage[];
  rows: TwcsRow[];
  warnings: TwcsWarning[];
  skipped: number;
  /** Authors of `inbound=False` rows. */
  brands: Set<string>;
  agents: AnonymisedAgents;
  threads: TwcsThreads;
}

/** Maps one row. `brandSide` decides the direction (brand accounts and detected agents → `out`). */
export function twcsRowToMessage(row: TwcsRow, brandSide: boolean): InboundMessage {
  const message: InboundMessage = {
    channel: 'x',
    externalId: row.tweetId,
    direction: brandSide ? 'out' : 'in',
    // twcs anonymised customers to numeric ids and kept brands' screen names; either way the
    // author_id is both the stable id and the only handle we have.
    author: { id: row.authorId, handle: row.authorId },
    text: normaliseTweetText(row.text),
    sentAt: new Date(row.createdAtMs).toISOString(),
    visibility: 'public',
    raw: row.record,
  };
  // Dangling references (parent not in the file) are kept: the parent may arrive in a later
  // import, and the pipeline must cope with unknown parents anyway.
  if (row.inResponseToTweetId !== null) message.inReplyTo = row.inResponseToTweetId;
  return message;
}

const compareRows = (a: TwcsRow, b: TwcsRow): number =>
  a.createdAtMs - b.createdAtMs ||
  a.tweetId.length - b.tweetId.length ||
  (a.tweetId < b.tweetId ? -1 : 1);

/**
 * Sorts rows by (created_at, numeric tweet id) and then guarantees parent-before-reply: a reply
 * that would come before its in-file parent (clock skew; none in the sample) waits until the parent
 * has been emitted. Rows caught in a reply cycle are emitted at the end with a warning.
 */
export function orderTwcsRows(
  rows: readonly TwcsRow[],
  onWarning?: (w: TwcsWarning) => void,
): TwcsRow[] {
  const sorted = [...rows].sort(compareRows);
  const inFile = new Set(sorted.map((r) => r.tweetId));
  const emitted = new Set<string>();
  const waiting = new Map<string, TwcsRow[]>();
  const out: TwcsRow[] = [];
  const emit = (row: TwcsRow): void => {
    const stack = [row];
    while (stack.length > 0) {
      const r = stack.pop() as TwcsRow;
      out.push(r);
      emitted.add(r.tweetId);
      const children = waiting.get(r.tweetId);
      if (children) {
        waiting.delete(r.tweetId);
        // Reverse so that the earliest waiting child is emitted first.
        for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]);
      }
    }
  };
  for (const row of sorted) {
    const parent = row.inResponseToTweetId;
    if (parent !== null && parent !== row.tweetId && inFile.has(parent) && !emitted.has(parent)) {
      const list = waiting.get(parent);
      if (list) list.push(row);
      else waiting.set(parent, [row]);
      continue;
    }
    emit(row);
  }
  for (const list of waiting.values()) {
    for (const row of list) {
      if (emitted.has(row.tweetId)) continue;
      onWarning?.({
        recordNo: row.recordNo,
        message: `tweet ${row.tweetId} is part of a reply cycle`,
      });
      emit(row);
    }
  }
  return out;
}

/** Reads a twcs file and returns its messages in pipeline order, with everything learnt on the way. */
export async function loadTwcs(path: string, options: TwcsImportOptions = {}): Promise<TwcsImport> {
  const parsed = await parseTwcsFile(path);
  for (const w of parsed.warnings) options.onWarning?.(w);
  const warnings = [...parsed.warnings];
  const threads = computeTwcsThreads(parsed.rows);
  const brands = twcsBrandAccounts(parsed.rows);
  const agents =
    options.detectAnonymisedAgents === false
      ? { authors: new Set<string>(), evidenceTweetIds: new Set<string>() }
      : detectAnonymisedAgents(parsed.rows, threads, brands);
  const ordered = orderTwcsRows(parsed.rows, (w) => {
    warnings.push(w);
    options.onWarning?.(w);
  });
  const messages = ordered.map((row) =>
    twcsRowToMessage(
      row,
      !row.inbound || brands.has(row.authorId) || agents.authors.has(row.authorId),
    ),
  );
  return {
    messages,
    rows: parsed.rows,
    warnings,
    skipped: parsed.skipped,
    brands,
    agents,
    threads,
  };
}

/**
 * Yields the messages of a twcs file so that a parent always comes before its replies.
 * Malformed records are skipped and reported through `options.onWarning`; this never throws for a
 * bad row (it does throw when the file cannot be read or is not a twcs CSV at all).
 */
export async function* readTwcs(
  path: string,
  options: TwcsImportOptions = {},
): AsyncGenerator<InboundMessage> {
  const { messages } = await loadTwcs(path, options);
  yield* messages;
}
