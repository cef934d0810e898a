import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { readReplayFile, replayCommand } from './replay.command.js';

/**
 * The replay reader called directly (no CLI spawn, no database): what it makes of lines that are
 * not messages. The spawned command is covered in test/replay.test.ts.
 */
describe('replay reader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'throughline-replay-reader-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  afterEach(() => vi.restoreAllMocks());

  /** What the reader says on stderr while `fn` runs. */
  const stderrOf = async <T>(fn: () => Promise<T>): Promise<{ value: T; err: string }> => {
    let err = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      err += String(chunk);
      return true;
    });
    const value = await fn();
    vi.restoreAllMocks();
    return { value, err };
  };
  const line = (i: number) =>
    JSON.stringify({
      channel: 'sms',
      externalId: `SM${i}`,
      author: { id: `+1415555${String(1000 + i)}` },
      text: `No signal at all in 94110 since this morning (${i})`,
      sentAt: new Date(Date.UTC(2025, 2, 4, 10, i)).toISOString(),
    });

  // QA: a 600 MB line crashed with "RangeError: Invalid string length" from readline (the valid
  // line before it not stored); a 200 MB one took 1.77 GB and 25 s to be "/author Expected…".
  it('skips a line longer than the inbound API takes, naming it, and reads the others', async () => {
    const file = join(dir, 'long.jsonl');
    const fd = openSync(file, 'w');
    try {
      writeSync(fd, `${line(1)}\n{"text":"`);
      // Just over POST /api/v1/inbound's 10 MiB body limit, written in pieces.
      const piece = 'A'.repeat(1 << 20);
      for (let i = 0; i < 10; i++) writeSync(fd, piece);
      writeSync(fd, `A"}\r\n${line(3)}\n`);
    } finally {
      closeSync(fd);
    }
    const { value, err } = await stderrOf(() => readReplayFile(file));
    expect(value.messages.map((m) => m.externalId)).toEqual(['SM1', 'SM3']);
    expect(value.bad).toBe(1);
    expect(err).toMatch(/^line 2: longer than 10 MiB \(10485760 bytes[^)]*\), skipped$/m);
    expect(err).not.toMatch(/author/);
  });

  it('counts lines as before: CR LF, a lone CR and a byte-order mark', async () => {
    const file = join(dir, 'endings.jsonl');
    writeFileSync(file, `\uFEFF${line(1)}\r\nnot json\r${line(3)}\n\n[1]\r\n${line(6)}`);
    const { value, err } = await stderrOf(() => readReplayFile(file));
    expect(value.messages.map((m) => m.externalId)).toEqual(['SM1', 'SM3', 'SM6']);
    expect(err).toBe('line 2: not JSON, skipped\nline 5: not a JSON object, skipped\n');
  });

  // QA: a file of the simulator's incident lines only said "… has no lines".
  it('a file with no message says so, naming its first line, apart from an empty file', async () => {
    const incidents = join(dir, 'incidents.jsonl');
    writeFileSync(
      incidents,
      '\n{"type":"incident","incident":{"id":"inc-7"}}\n{"type":"incident","incident":{"id":"inc-8"}}\n',
    );
    const only = await stderrOf(() =>
      replayCommand(incidents, { speed: 'max' }).then(
        () => null,
        (e: Error) => e.message,
      ),
    );
    expect(only.value).toMatch(/^no line of .*incidents\.jsonl is a message \(2 incident lines/);
    expect(only.value).toMatch(/line 2: an incident line of the simulator/);
    expect(only.value).not.toMatch(/has no lines/);

    const mixed = join(dir, 'mixed-bad.jsonl');
    writeFileSync(mixed, '{"type":"incident"}\nnot json\n');
    const both = await stderrOf(() =>
      replayCommand(mixed, { speed: 'max' }).then(
        () => null,
        (e: Error) => e.message,
      ),
    );
    expect(both.value).toMatch(/is a message \(1 bad line, 1 incident line/);
    expect(both.value).toMatch(/line 1: an incident line of the simulator/);

    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '\n \r\n');
    await expect(replayCommand(empty, { speed: 'max' })).rejects.toThrow(
      /empty\.jsonl has no lines/,
    );
  });
});
