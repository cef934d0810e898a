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
      ].join('\n'),
    );
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatchObject({ language: 'en', complaint: true });
    expect((lines[0].area as { postalCode: string }).postalCode).toBe('94110');
    expect(lines[1]).toMatchObject({ error: { code: 'invalid_json', line: 2 } });
    expect(lines[2]).toMatchObject({ error: { code: 'invalid_input', line: 3 } });
    expect(lines[3]).toMatchObject({ error: { code: 'invalid_input', line: 4 } });
    expect(lines[4]).toMatchObject({ complaint: false, area: { city: 'Austin' } });
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
