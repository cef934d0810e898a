import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { expand, readTemplates } from './generate.js';

let dir: string | undefined;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function templatesIn(files: Record<string, string>): URL {
  dir = mkdtempSync(join(tmpdir(), 'tl-templates-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return pathToFileURL(`${dir}/`);
}

describe('readTemplates', () => {
  it('marks the sentences of *.topic.txt files as teaching the topic model only', () => {
    const url = templatesIn({
      'billing.txt': '# a comment\nC billing charged twice for {svc}\n',
      'billing.topic.txt': 'N billing when does autopay take the payment?\n\nC outage down again\n',
      'random.txt': 'N other good morning\n',
    });
    const got = readTemplates(url).map((t) => [t.text, t.topic, t.complaint, t.kind, t.topicOnly]);
    expect(got).toEqual([
      ['when does autopay take the payment?', 'billing', 0, 'brand', true],
      ['down again', 'outage', 1, 'brand', true],
      ['charged twice for {svc}', 'billing', 1, 'brand', false],
      ['good morning', 'other', 0, 'chatter', false],
    ]);
  });

  it('rejects a line that is not "C|N <topic> <text>"', () => {
    const url = templatesIn({ 'x.topic.txt': 'N weather sunny today\n' });
    expect(() => readTemplates(url)).toThrow('x.topic.txt:1');
  });
});

describe('expand', () => {
  it('fills slots the same way for the same seed and never repeats a variant', () => {
    const t = readTemplates(templatesIn({ 'a.txt': 'C network slow {svc} {area}\n' }));
    const slots = {
      svc: ['wifi', 'data'],
      area: ['in Leeds', 'downtown'],
      brand: ['@TelcoCare'],
      url: ['https://t.co/x'],
      tag: ['#fail'],
    };
    const a = expand(t, slots, 12, 7);
    expect(expand(t, slots, 12, 7)).toEqual(a);
    expect(new Set(a.map((e) => e.text)).size).toBe(a.length);
    for (const e of a) expect(e.text).toMatch(/slow (wifi|data) (in leeds|downtown)/i);
  });
});
