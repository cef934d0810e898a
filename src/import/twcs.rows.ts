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
 * - A malformed record (wrong column count, bad id, bad date, duplicate id, unterminated quote) is
 *   skipped and reported as a warning with its record number; parsing never throws for a bad row.
 */
import { createReadStream, statSync } from 'node:fs';
import { type Options, parse } from 'csv-parse';
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
};

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

  /** Takes one CSV record; the first is the header, which must name the 7 twcs columns (else throws). */
  add(fields: string[]): void {
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
    if (createdAtMs === null) {
      this.skip(
        recordNo,
        `bad created_at ${JSON.stringify(record.created_at)} in tweet ${tweetId}`,
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
  }

  private skip(recordNo: number | null, message: string): void {
    this.skipped++;
    this.warnings.push({ recordNo, message });
  }

  /** A record csv-parse itself could not read (e.g. an unterminated quote). */
  parserSkip(message: string): void {
    this.skip(null, message);
  }

  result(): TwcsParseResult {
    if (this.header === null) throw new Error('not a twcs CSV: the file is empty');
    return { rows: this.rows, warnings: this.warnings, skipped: this.skipped };
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
  parser.on('skip', (err: Error) => collector.parserSkip(err.message));
  for await (const fields of parser as AsyncIterable<string[]>) collector.add(fields);
  return collector.result();
}

/** The same as {@link parseTwcsFile} for CSV text already in memory (tests, uploads). */
export async function parseTwcsText(csv: string | Buffer): Promise<TwcsParseResult> {
  const collector = new TwcsRowCollector();
  const parser = parse(PARSE_OPTIONS);
  parser.on('skip', (err: Error) => collector.parserSkip(err.message));
  parser.end(csv);
  for await (const fields of parser as AsyncIterable<string[]>) collector.add(fields);
  return collector.result();
}
