/**
 * File lines of byte offsets, found after the parse. csv-parse counts a CR and an LF inside a
 * quoted field as two lines (and its `lines` is where a record ends), so the line a person opens
 * in an editor is counted here from the bytes: one more than the LFs before the offset. Read only
 * when there is something to report, in one pass over the input.
 */
export async function linesOfBytes(
  input: AsyncIterable<Buffer> | Iterable<Buffer>,
  offsets: readonly number[],
): Promise<Map<number, number>> {
  const wanted = [...new Set(offsets)].sort((a, b) => a - b);
  const out = new Map<number, number>();
  if (wanted.length === 0) return out;
  let next = 0;
  let base = 0;
  let lfs = 0;
  for await (const chunk of input) {
    for (let i = 0; i < chunk.length && next < wanted.length; i++) {
      while (next < wanted.length && wanted[next] === base + i) out.set(wanted[next++], lfs + 1);
      if (chunk[i] === 0x0a) lfs++;
    }
    base += chunk.length;
    if (next === wanted.length) break;
  }
  // Offsets at or past the end (a file without a last newline) are on the last line.
  while (next < wanted.length) out.set(wanted[next++], lfs + 1);
  return out;
}
