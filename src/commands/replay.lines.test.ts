import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { type ReplayLine, replayFileLines } from './replay.lines.js';

/** `bytes` cut into chunks of `size` (the file is not read: `chunks` stands for it). */
async function* chunked(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

const linesOf = async (bytes: Buffer, size: number, max = 1 << 20) => {
  const out: ReplayLine[] = [];
  for await (const l of replayFileLines('unused', max, chunked(bytes, size))) out.push(l);
  return out;
};

/** What `readline` (which replay used before) makes of the same bytes, non-empty lines only. */
const readlineOf = async (bytes: Buffer) => {
  const { createInterface } = await import('node:readline');
  const out: string[] = [];
  const rl = createInterface({
    input: Readable.from([bytes]),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const l of rl) out.push(l);
  return out;
};

describe('replay file lines', () => {
  it('end where readline ended them, however the chunks fall', async () => {
    const text = '\uFEFF{"a":1}\r\n\r\nnot json\r{"b":"é ✓"}\n\r\r\n{"c":3}\r';
    const bytes = Buffer.from(text, 'utf8');
    const expected = (await readlineOf(bytes)).map((t, i) => ({
      lineNo: i + 1,
      text: i === 0 ? t.replace(/^\uFEFF/, '') : t,
    }));
    expect(expected.map((l) => l.text)).toContain('{"b":"é ✓"}');
    for (const size of [1, 2, 3, 5, 7, 11, bytes.length])
      expect(await linesOf(bytes, size), `chunks of ${size}`).toEqual(expected);
  });

  it('gives a line over the limit as its size only, and goes on at the next line', async () => {
    const bytes = Buffer.from(`ok\n${'A'.repeat(50)}\r\nnext\n${'B'.repeat(20)}`);
    for (const size of [1, 4, 16, bytes.length])
      expect(await linesOf(bytes, size, 20), `chunks of ${size}`).toEqual([
        { lineNo: 1, text: 'ok' },
        { lineNo: 2, tooLong: true, bytes: 50 },
        { lineNo: 3, text: 'next' },
        { lineNo: 4, text: 'B'.repeat(20) },
      ]);
  });

  it('reads bytes that are not UTF-8 as U+FFFD, and says so; a real U+FFFD is text', async () => {
    const bytes = Buffer.concat([
      Buffer.from('caf'),
      Buffer.from([0xe9]),
      Buffer.from('\nreal \uFFFD\n'),
    ]);
    expect(await linesOf(bytes, 2)).toEqual([
      { lineNo: 1, text: 'caf\uFFFD', notUtf8: true },
      { lineNo: 2, text: 'real \uFFFD' },
    ]);
  });
});
