/**
 * Reading the Kaggle "Customer Support on Twitter" (twcs) CSV into validated rows.
 *
 * Columns: tweet_id, author_id, inbound, created_at, text, response_tweet_id,
 * in_response_to_tweet_id — any further columns (e.g. the telecom subset's thread_id,
 * telecom_brands, thread_refs_all_in_file) are kept in `extra` and otherwise ignored.
 *
 * Quirks handled (see shared/data/SOURCES.md §1):
 * - Bare CR inside a field: the pandas-written original leaves such a field unquoted, so the record
 *   delimiter is fixed to LF / CRLF instead of csv-parse's auto-detection (which would take the
 *   first CR it meets as the delimiter and split tweet 3399 into pieces).
 * - Stray quotes inside unquoted fields are tolerated (`relax_quotes`).
 * - `in_response_to_tweet_id` as a pandas float (`3.0`) is read as `3`.
 * - Bytes that are not UTF-8 are read as U+FFFD, and the row is imported with a warning naming its
 *   tweet.
 * - A malformed record (wrong column count, bad id, bad date or one before 2000 as the inbound API
 *   refuses it, duplicate id) is skipped and reported
 *   as a warning with its record number and the file line it starts on.
 * - A quote opened and never closed makes csv-parse read the rest of the file as one field: every
 *   later row would be lost as one skipped record. That fails the whole read instead, naming the
 *   line and the tweet where the quote opened (`TwcsUnclosedQuoteError`); nothing is imported.
 * - A stray quote that a later row closes joins the rows between into one field, often with the
 *   right column count, so nothing would be skipped: a field with a row-shaped line in it fails
 *   the read the same way, naming both lines (`TwcsJoinedRowsError`, twcs.joined.ts).
 */
import { isUtf8 } from 'node:buffer';
import { closeSync, createReadStream, openSync, readSync, statSync } from 'node:fs';
import { type CsvError, type Info, type Options, parse } from 'csv-parse';
import { sentAtUnbelievable } from '../ingest/inbound.time.js';
import { joinedRowIn, TwcsJoinedRowsError } from './twcs.joined.js';
import { linesOfBytes } from './twcs.lines.js';
import { parseTwitterDate } from './twcs.text.js';

export const TWCS_COLUMNS = [
  'tweet_id',
  'author_id',
  'inbound',
  'created_at',
  'text',
  'response_tweet_id',
  'in_response_to_tweet_id',
] as const;

export interface TwcsRow {
  tweetId: string;
  authorId: string;
  /** The file's `inbound` flag: True for customers (and for anonymised brand agents, see brands). */
  inbound: boolean;
  /** `created_at` as epoch milliseconds (UTC). */
  createdAtMs: number;
  /** The text exactly as in the file (entities not decoded). */
  text: string;
  responseTweetIds: string[];
  inResponseToTweetId: string | null;
  /** Every column of the record, by header name, verbatim (the `raw` of the message). */
  record: Record<string, string>;
  /** 1-based number of the data record in the file (header excluded), for messages and warnings. */
  recordNo: number;
}

export interface TwcsWarning {
  recordNo: number | null;
  message: string;
  /** The file line the record starts on (1-based, the header is line 1), when known. */
  line?: number;
}

export interface TwcsParseResult {
  rows: TwcsRow[];
  warnings: TwcsWarning[];
  /** Records skipped as malformed (each also has a warning). */
  skipped: number;
}

const PARSE_OPTIONS: Options = {
  bom: true,
  record_delimiter: ['\r\n', '\n'],
  relax_quotes: true,
  relax_column_count: true,
  skip_empty_lines: true,
  skip_records_with_error: true,
  // Each record's end as a byte offset (and the blank lines skipped so far): where records
  // start and end in the file, for warnings and the unclosed quote's error.
  info: true,
};

type ParsedRecord = { record: string[]; info: Info };

/** Where a record lies in the input: the byte after the previous one, and its own end. */
interface Span {
  /** Offset where the previous record ended (the blank lines skipped come next). */
  after: number;
  blankLines: number;
  end: number;
}

/** A quote that is never closed: the rest of the file, from `line`, cannot be read as rows. */
export class TwcsUnclosedQuoteError extends Error {
  constructor(
    readonly line: number,
    readonly tweetId: string | null,
    where: string,
  ) {
    super(
      `${where}line ${line}: a quote opened in this record${tweetId ? ` (tweet ${tweetId})` : ''} is never closed, so the rest of the file from there cannot be read as rows; nothing was imported. Close or remove the quote and import again`,
    );
    this.name = 'TwcsUnclosedQuoteError';
  }
}

function normaliseId(value: string | undefined): string | null {
  const v = (value ?? '').trim();
  if (v === '') return null;
  const m = /^(\d{1,20})(?:\.0+)?$/.exec(v);
  return m ? m[1] : null;
}

/** Incremental row builder shared by the streaming and the in-memory entry points. */
class TwcsRowCollector {
  readonly rows: TwcsRow[] = [];
  readonly warnings: TwcsWarning[] = [];
  skipped = 0;
  private header: string[] | null = null;
  private recordNo = 0;
  private readonly seen = new Set<string>();
  /** The previous record's end, and the blank lines skipped up to it. */
  private end = { bytes: 0, emptyLines: 0 };
  private span: Span = { after: 0, blankLines: 0, end: 0 };
  /** Each warning's record, to give its lines once the parse is over. */
  private readonly spans = new Map<TwcsWarning, Span>();
  /** Blank lines skipped up to the end of the input, when a quote was never closed. */
  private unclosed: { emptyLines: number } | null = null;
  /** The first record holding rows joined by a stray quote, and where the joined row starts. */
  private joined: {
    span: Span;
    tweetId: string | null;
    lineBreaks: number;
    joinedId: string;
  } | null = null;
  private readonly replaced: { tweetId: string; recordNo: number; span: Span }[] = [];

  /** Takes one CSV record; the first is the header, which must name the 7 twcs columns (else throws). */
  add({ record: fields, info }: ParsedRecord): void {
    // Blank lines before it are skipped (`skip_empty_lines`), and counted.
    const blankLines = info.empty_lines - this.end.emptyLines;
    this.span = { after: this.end.bytes, blankLines, end: info.bytes };
    this.end = { bytes: info.bytes, emptyLines: info.empty_lines };
    if (this.header === null) {
      // Some copies of the corpus lost the `tweet_id` header name (an empty first cell).
      const header = fields.map((f, i) => (i === 0 && f.trim() === '' ? 'tweet_id' : f.trim()));
      const missing = TWCS_COLUMNS.filter((c) => !header.includes(c));
      if (missing.length > 0) {
        throw new Error(
          `not a twcs CSV: header lacks ${missing.join(', ')} (got ${header.join(', ')})`,
        );
      }
      this.header = header;
      return;
    }
    this.recordNo++;
    const recordNo = this.recordNo;
    const header = this.header;
    // Checked before the column count: a join that broke the count must fail too, not be skipped.
    const joined = this.joined ? undefined : joinedRowIn(fields, header);
    if (joined) {
      const tweetId = normaliseId(fields[header.indexOf('tweet_id')]);
      this.joined = {
        span: this.span,
        tweetId,
        lineBreaks: joined.lineBreaks,
        joinedId: joined.tweetId,
      };
      return;
    }
    if (fields.length !== header.length) {
      this.skip(recordNo, `expected ${header.length} fields, found ${fields.length}`);
      return;
    }
    const record: Record<string, string> = {};
    header.forEach((name, i) => {
      record[name] = fields[i];
    });
    const tweetId = normaliseId(record.tweet_id);
    if (tweetId === null) {
      this.skip(recordNo, `bad tweet_id ${JSON.stringify(record.tweet_id)}`);
      return;
    }
    if (this.seen.has(tweetId)) {
      this.skip(recordNo, `duplicate tweet_id ${tweetId}`);
      return;
    }
    const authorId = record.author_id.trim();
    if (authorId === '' || authorId.length > 320) {
      this.skip(recordNo, `bad author_id in tweet ${tweetId}`);
      return;
    }
    const inboundFlag = record.inbound.trim().toLowerCase();
    if (inboundFlag !== 'true' && inboundFlag !== 'false') {
      this.skip(recordNo, `bad inbound flag ${JSON.stringify(record.inbound)} in tweet ${tweetId}`);
      return;
    }
    const createdAtMs = parseTwitterDate(record.created_at);
    // A real date the desk does not believe (before 2000: an unset clock) is refused as the
    // inbound API and `replay` refuse it, with their reason.
    const unbelievable =
      createdAtMs === null ? undefined : sentAtUnbelievable(new Date(createdAtMs).toISOString());
    if (createdAtMs === null || unbelievable) {
      this.skip(
        recordNo,
        `bad created_at ${JSON.stringify(record.created_at)} in tweet ${tweetId}${unbelievable ? `: ${unbelievable}` : ''}`,
      );
      return;
    }
    const parentRaw = record.in_response_to_tweet_id;
    const parent = normaliseId(parentRaw);
    if (parent === null && parentRaw.trim() !== '') {
      this.skip(
        recordNo,
        `bad in_response_to_tweet_id ${JSON.stringify(parentRaw)} in tweet ${tweetId}`,
      );
      return;
    }
    const responseIds = record.response_tweet_id
      .split(',')
      .map((s) => normaliseId(s))
      .filter((s): s is string => s !== null);
    this.seen.add(tweetId);
    this.rows.push({
      tweetId,
      authorId,
      inbound: inboundFlag === 'true',
      createdAtMs,
      text: record.text,
      responseTweetIds: responseIds,
      inResponseToTweetId: parent,
      record,
      recordNo,
    });
    // Bytes that are not UTF-8 (a Latin-1 `café`) were decoded as U+FFFD; whether the file held
    // them or a real U+FFFD is told from its bytes at the end (`result`).
    if (fields.some((f) => f.includes('\uFFFD')))
      this.replaced.push({ tweetId, recordNo, span: this.span });
  }

  private skip(recordNo: number | null, message: string): void {
    this.skipped++;
    const warning = { recordNo, message };
    this.warnings.push(warning);
    this.spans.set(warning, this.span);
  }

  /**
   * A record csv-parse itself could not read. An unterminated quote is only reported at the end
   * of the input (the parser read everything after it as that one field), so it is kept for
   * `result`, which then knows the last good record.
   */
  parserSkip(err: CsvError): void {
    if (err.code === 'CSV_QUOTE_NOT_CLOSED')
      this.unclosed = { emptyLines: Number(err.empty_lines) };
    else {
      this.skipped++;
      this.warnings.push({ recordNo: null, message: err.message });
    }
  }

  /**
   * The rows, or the unclosed quote's error. `input()` reads the input again (only when there is a
   * line to give) and `read(start, end)` a part of it, to name the tweet of the broken record and
   * to check the bytes of rows holding U+FFFD; `where` prefixes the error.
   */
  async result(
    input: () => AsyncIterable<Buffer> | Iterable<Buffer>,
    read: (start: number, end: number) => Buffer,
    where = '',
  ): Promise<TwcsParseResult> {
    // The broken record starts after the last good one (the parser reports it at the very end).
    const unclosed: Span | null = this.unclosed && {
      after: this.end.bytes,
      blankLines: this.unclosed.emptyLines - this.end.emptyLines,
      end: this.end.bytes,
    };
    // Once per row, with its tweet: the text stored is not what the customer wrote.
    const joined = this.joined;
    const invalid =
      unclosed || joined
        ? []
        : this.replaced.filter((r) => !isUtf8(read(r.span.after, r.span.end)));
    for (const r of invalid) {
      const warning = {
        recordNo: r.recordNo,
        message: `tweet ${r.tweetId} held bytes that are not valid UTF-8, read as U+FFFD (\uFFFD): save the file as UTF-8`,
      };
      this.warnings.push(warning);
      this.spans.set(warning, r.span);
    }
    const spans = [
      ...this.spans.values(),
      ...(unclosed ? [unclosed] : []),
      ...(joined ? [joined.span] : []),
    ];
    const lines = await linesOfBytes(
      spans.length ? input() : [],
      spans.flatMap((s) => [s.after, Math.max(s.after, s.end - 1)]),
    );
    const startLine = (s: Span) => (lines.get(s.after) ?? 0) + s.blankLines;
    // It comes before any unclosed quote: that one is reported from after the last record.
    if (joined) {
      const line = startLine(joined.span);
      const { tweetId, lineBreaks, joinedId } = joined;
      throw new TwcsJoinedRowsError(line, tweetId, line + lineBreaks, joinedId, where);
    }
    if (unclosed) {
      const text = read(unclosed.after, unclosed.after + 4096)
        .toString('utf8')
        .replace(/^(?:\r?\n)+/, '');
      const tweetId = normaliseId(text.slice(0, text.search(/[,\r\n]|$/)));
      throw new TwcsUnclosedQuoteError(startLine(unclosed), tweetId, where);
    }
    if (this.header === null) throw new Error('not a twcs CSV: the file is empty');
    for (const [w, s] of this.spans) {
      w.line = startLine(s);
      // A record over several lines (a quote that joined rows) says how many it took with it.
      const last = lines.get(Math.max(s.after, s.end - 1)) ?? w.line;
      if (last > w.line) w.message += ` (lines ${w.line}–${last})`;
    }
    return { rows: this.rows, warnings: this.warnings, skipped: this.skipped };
  }
}

/** The bytes of a file from `start` to `end` (or to its end). */
function readFileRange(path: string, start: number, end: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(Math.max(0, end - start));
    return buf.subarray(0, readSync(fd, buf, 0, buf.length, start));
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a whole twcs file into memory. Fine for the 5,000-row samples; the full 2.8M-row corpus
 * (~500 MB of CSV) would need about 2–3 GB of heap as JS objects, so a file of that size should
 * instead be sorted externally (chunks sorted by created_at in temp files, then a k-way merge) with
 * the thread index kept on disk (e.g. a SQLite temp table of tweet_id → parent).
 */
export async function parseTwcsFile(path: string): Promise<TwcsParseResult> {
  const collector = new TwcsRowCollector();
  // Said with the path, as replay says it: a missing file or a folder was an unhandled 'error'
  // event of the read stream (pipe() does not pass it on) with a stack trace.
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) throw new Error(`${path}: no such file`);
  if (!stat.isFile()) throw new Error(`${path} is not a file`);
  const input = createReadStream(path);
  const parser = input.pipe(parse(PARSE_OPTIONS));
  // Any later read error (permissions, I/O) ends the loop below with it.
  input.once('error', (err) => parser.destroy(new Error(`cannot read ${path}: ${err.message}`)));
  parser.on('skip', (err: CsvError) => collector.parserSkip(err));
  for await (const record of parser as AsyncIterable<ParsedRecord>) collector.add(record);
  return collector.result(
    () => createReadStream(path),
    (start, end) => readFileRange(path, start, end),
    `${path}: `,
  );
}

/** The same as {@link parseTwcsFile} for CSV text already in memory (tests, uploads). */
export async function parseTwcsText(csv: string | Buffer): Promise<TwcsParseResult> {
  const collector = new TwcsRowCollector();
  const parser = parse(PARSE_OPTIONS);
  parser.on('skip', (err: CsvError) => collector.parserSkip(err));
  parser.end(csv);
  for await (const record of parser as AsyncIterable<ParsedRecord>) collector.add(record);
  const bytes = Buffer.from(csv);
  return collector.result(
    () => [bytes],
    (start, end) => bytes.subarray(start, end),
  );
}
