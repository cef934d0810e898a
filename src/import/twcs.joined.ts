import { parseTwitterDate } from './twcs.text.js';

/**
 * A stray quote that a later row happens to close joins every row in between into one field, and
 * the record can still have the right number of columns: the rows would vanish into a tweet's
 * text without a warning. A field over several lines is such a join when one of its later lines
 * starts the way a twcs row does — a tweet id, then the columns up to the text, with an inbound
 * flag or a date where the header puts them. A tweet's own lines never start so ("2,000 users,
 * no service" has no flag or date after it), so legit multi-line tweets are kept.
 */
export interface JoinedRow {
  /** Line breaks in the record before the joined row's line: its line, from the record's first. */
  lineBreaks: number;
  /** The joined row's tweet id, as written. */
  tweetId: string;
}

/** Columns a twcs row starts with that never hold a comma: a line is checked on these. */
const PLAIN = new Set(['tweet_id', 'author_id', 'inbound', 'created_at']);

/** The first row-shaped line after a line break in any field of the record, or undefined. */
export function joinedRowIn(
  fields: readonly string[],
  header: readonly string[],
): JoinedRow | undefined {
  // Up to the first column that may hold commas (the text, in the corpus's order).
  const free = header.findIndex((name) => !PLAIN.has(name));
  const leading = free < 0 ? header : header.slice(0, free);
  const id = leading.indexOf('tweet_id');
  const inbound = leading.indexOf('inbound');
  const date = leading.indexOf('created_at');
  // Without an id and a flag or date before the free text, a row cannot be told from words.
  if (id < 0 || (inbound < 0 && date < 0)) return undefined;
  let lineBreaks = 0;
  for (const field of fields) {
    const lines = field.split('\n');
    for (let i = 1; i < lines.length; i++) {
      const cells = lines[i].split(',');
      const rowShaped =
        cells.length > leading.length &&
        /^\d{1,20}$/.test(cells[id].trim()) &&
        ((inbound >= 0 && /^(true|false)$/i.test(cells[inbound].trim())) ||
          (date >= 0 && parseTwitterDate(cells[date]) !== null));
      if (rowShaped) return { lineBreaks: lineBreaks + i, tweetId: cells[id].trim() };
    }
    lineBreaks += lines.length - 1;
  }
  return undefined;
}

/** Rows joined into one field by a stray quote: importing would lose them without a word. */
export class TwcsJoinedRowsError extends Error {
  constructor(
    readonly line: number,
    readonly tweetId: string | null,
    readonly joinedLine: number,
    readonly joinedTweetId: string,
    where: string,
  ) {
    super(
      `${where}line ${line}: a quote opened in this record${tweetId ? ` (tweet ${tweetId})` : ''} is closed only by a later row, so the row on line ${joinedLine} (tweet ${joinedTweetId}) and any after it up to the closing quote were read as part of one field; nothing was imported. Close or remove the quote and import again`,
    );
    this.name = 'TwcsJoinedRowsError';
  }
}
