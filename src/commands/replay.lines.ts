import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';

/**
 * The longest replay line read: `POST /api/v1/inbound`'s body limit (inbound.routes.ts), so any
 * message with its raw payload that the API would take fits, and nothing the API would refuse
 * for size is held in memory.
 */
export const MAX_LINE_BYTES = 10 * 1024 * 1024;

/**
 * A line of a replay file: its text (`notUtf8` when bytes that are not UTF-8 were read as
 * U+FFFD), or only its size when it was longer than the limit.
 */
export type ReplayLine =
  | { lineNo: number; text: string; notUtf8?: true }
  | { lineNo: number; tooLong: true; bytes: number };

/**
 * The lines of a file, read by chunks of bytes. Why not `readline`: it builds each line as one
 * string whatever its length, so one 600 MB line crashed it ("Invalid string length") and a
 * 200 MB one took 1.8 GB. Here a line's bytes are dropped as they arrive once it passes `max`,
 * and reading goes on at the next line end.
 *
 * Lines end as `readline` ended them, so line numbers stay what they were: at "\n", "\r\n" or a
 * lone "\r" (none of which can sit inside a JSON string). Each line is decoded on its own, which
 * is safe as those bytes never occur inside a multi-byte UTF-8 character; invalid UTF-8 reads as
 * U+FFFD, said with `notUtf8` (a Latin-1 `café` was silently stored as `caf\uFFFD`), and a
 * byte-order mark at the start is dropped.
 */
export async function* replayFileLines(
  file: string,
  max = MAX_LINE_BYTES,
  chunks: AsyncIterable<Buffer> = createReadStream(file),
): AsyncGenerator<ReplayLine> {
  let parts: Buffer[] = [];
  let size = 0;
  let lineNo = 0;
  // The last chunk ended in "\r": a "\n" starting the next one belongs to that line end.
  let afterCr = false;
  const finish = (): ReplayLine => {
    lineNo++;
    if (size > max) return { lineNo, tooLong: true, bytes: size };
    const bytes = Buffer.concat(parts, size);
    let text = bytes.toString('utf8');
    if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    // Bytes checked only when U+FFFD shows: a real one, written as UTF-8, is text like any other.
    if (text.includes('\uFFFD') && !isUtf8(bytes)) return { lineNo, text, notUtf8: true };
    return { lineNo, text };
  };
  for await (const chunk of chunks) {
    let start = 0;
    if (afterCr && chunk[0] === 10) start = 1;
    afterCr = false;
    // Where the next "\n" and "\r" are, each looked up again only once passed (a lookup per
    // line for both would scan the whole chunk for a "\r" most files never hold, line by line).
    let nl = -2;
    let cr = -2;
    while (start < chunk.length) {
      if (nl !== -1 && nl < start) nl = chunk.indexOf(10, start);
      if (cr !== -1 && cr < start) cr = chunk.indexOf(13, start);
      const end = cr === -1 ? nl : nl === -1 ? cr : Math.min(nl, cr);
      const piece = chunk.subarray(start, end === -1 ? chunk.length : end);
      // Past the limit only the count goes on: the bytes are not kept.
      if (size + piece.length <= max) parts.push(piece);
      else parts = [];
      size += piece.length;
      if (end === -1) break;
      yield finish();
      parts = [];
      size = 0;
      start = end + 1;
      if (end === cr) {
        if (start === chunk.length) afterCr = true;
        else if (chunk[start] === 10) start++;
      }
    }
  }
  if (size > 0) yield finish();
}
