import { PassThrough, Readable, Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runClassifyCommand } from './classify.command.js';

async function run(input: string): Promise<Record<string, unknown>[]> {
  let out = '';
  const sink = new Writable({
    write(chunk, _enc, cb) {
      out += chunk;
      cb();
    },
  });
  await runClassifyCommand(Readable.from([input]), sink);
  return out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
}

describe('throughline classify', () => {
  it('answers every line in order, with an error object for bad lines', async () => {
    const lines = await run(
      [
        '{"text":"my internet is down in 94110 again","channel":"x"}',
        'not json',
        '{"text":5}',
        '',
        '{"text":"thanks, all good now","authorLocation":"Austin, TX"}',
        '{"text":"no signal","channel":"twitter"}',
      ].join('\n'),
    );
    expect(lines).toHaveLength(6);
    expect(lines[5]).toMatchObject({ error: { code: 'invalid_input', line: 6 } });
    expect((lines[5] as { error: { message: string } }).error.message).toMatch(
      /unknown channel "twitter"/,
    );
    expect(lines[0]).toMatchObject({ language: 'en', complaint: true });
    expect((lines[0].area as { postalCode: string }).postalCode).toBe('94110');
    expect(lines[1]).toMatchObject({ error: { code: 'invalid_json', line: 2 } });
    expect(lines[2]).toMatchObject({ error: { code: 'invalid_input', line: 3 } });
    expect(lines[3]).toMatchObject({ error: { code: 'invalid_input', line: 4 } });
    expect(lines[4]).toMatchObject({ complaint: false, area: { city: 'Austin' } });
  });

  it('gives an area object with null fields and confidence 0 when no place is named', async () => {
    const [line] = await run('{"text":"my bill is wrong again"}\n');
    expect(line.area).toEqual({
      postalCode: null,
      city: null,
      region: null,
      country: null,
      confidence: 0,
    });
  });

  it('waits for a slow consumer instead of buffering everything (back-pressure)', async () => {
    const n = 3000;
    const input = new PassThrough();
    let written = 0;
    let maxBuffered = 0;
    const slow = new Writable({
      highWaterMark: 1024,
      write(_chunk, _enc, cb) {
        written++;
        setImmediate(cb);
      },
    });
    const check = setInterval(() => {
      maxBuffered = Math.max(maxBuffered, slow.writableLength);
    }, 1);
    const done = runClassifyCommand(input, slow);
    for (let i = 0; i < n; i++) input.write(`{"text":"message number ${i} about my bill"}\n`);
    input.end();
    await done;
    clearInterval(check);
    expect(written).toBe(n);
    // With back-pressure the writable never holds more than about one write past its mark.
    expect(maxBuffered).toBeLessThan(4096);
  });
});

describe('throughline classify at the edges of its input', () => {
  /** Runs over raw chunks (bytes as a file or pipe would deliver them). */
  async function raw(chunks: (string | Buffer)[], max?: number) {
    let out = '';
    const sink = new Writable({
      write(chunk, _enc, cb) {
        out += chunk;
        cb();
      },
    });
    await runClassifyCommand(Readable.from(chunks), sink, undefined, max);
    return out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  }

  it('ignores a byte-order mark, ends lines at \\n only, and reads bad UTF-8 as U+FFFD', async () => {
    const lines = await raw([
      '\uFEFF{"text":"my internet is down again today"}\r\n',
      '{"text":"a lone \r inside"}\n',
      Buffer.concat([Buffer.from('{"text":"bad '), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n')]),
    ]);
    // Three lines in, three out: the lone \r did not split the second (whose raw control
    // character makes it invalid JSON, as it should).
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatchObject({ language: 'en' });
    expect(lines[1]).toMatchObject({ error: { code: 'invalid_json', line: 2 } });
    expect(lines[2].error).toBeUndefined();
  });

  it('reads input saved as UTF-16 (a byte-order mark says so) line for line', async () => {
    const text = [
      '{"text":"no signal in München since this morning"}',
      '{"text":"my bill is wrong 😡"}',
      '{"text":"thanks, it works"}',
    ].join('\r\n');
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${text}\r\n`, 'utf16le')]);
    // Cut mid-character, as a pipe may deliver it.
    const lines = await raw([le.subarray(0, 51), le.subarray(51)]);
    expect(lines).toHaveLength(3);
    for (const l of lines) expect(l.error).toBeUndefined();
    expect(lines[1]).toMatchObject({ complaint: true, topic: 'billing' });
    const be = Buffer.from(le.subarray(2)).swap16();
    const big = await raw([Buffer.concat([Buffer.from([0xfe, 0xff]), be])]);
    expect(big.map((l) => l.topic)).toEqual(lines.map((l) => l.topic));
  });

  it('answers a line that is too long without holding it, and goes on with the next', async () => {
    const huge = `{"text":"${'x'.repeat(5000)}"}\n`;
    // Split mid-line across chunks, as a pipe would.
    const lines = await raw(
      [huge.slice(0, 1000), huge.slice(1000), '{"text":"my bill is wrong"}\n'],
      1024,
    );
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ error: { code: 'line_too_long', line: 1 } });
    expect(lines[1]).toMatchObject({ topic: 'billing' });
  });

  it('stops quietly when the reader goes away (| head -1)', async () => {
    const input = new PassThrough();
    let calls = 0;
    const closing = new Writable({
      write(_chunk, _enc, cb) {
        calls++;
        const err = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
        cb(calls > 1 ? err : null);
      },
    });
    closing.on('error', () => {});
    const done = runClassifyCommand(input, closing);
    for (let i = 0; i < 50; i++) input.write(`{"text":"message ${i}"}\n`);
    input.end();
    await expect(done).resolves.toBeUndefined();
    expect(calls).toBeLessThan(50);
  });
});
