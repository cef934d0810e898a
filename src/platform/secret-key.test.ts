import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createKeyFile } from './secret-key.js';

describe('the secret key file of a new desk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'throughline-key-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is the first writer’s key for a second process that also found none', () => {
    const file = join(dir, 'secret.key');
    const first = createKeyFile(file);
    // Another process checked before the file was there, and creates it now.
    const second = createKeyFile(file);
    expect(second.equals(first)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    // No temporary file is left beside it.
    expect(readdirSync(dir)).toEqual(['secret.key']);
  });
});
