import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Config, decodeKey } from '../config.js';

/**
 * The key that encrypts channel credentials at rest. THROUGHLINE_SECRET_KEY wins; otherwise a key
 * file beside the SQLite database (or ./data for PostgreSQL) is created once (mode 0600) and
 * reused, so a newcomer never has to generate one. Losing the file means re-entering channel
 * credentials, nothing worse.
 */
export function resolveSecretKey(config: Config): Buffer {
  if (config.secretKey) {
    const key = decodeKey(config.secretKey);
    if (key) return key;
  }
  const url = config.databaseUrl;
  const sqlitePath = url.startsWith('sqlite:') ? url.slice('sqlite:'.length) : null;
  if (sqlitePath === ':memory:') return randomBytes(32);
  const dir = sqlitePath ? dirname(sqlitePath) : './data';
  const file = join(dir, 'secret.key');
  if (existsSync(file)) {
    const key = decodeKey(readFileSync(file, 'utf8').trim());
    if (!key) throw new Error(`${file} does not hold a 32-byte key (hex or base64)`);
    return key;
  }
  mkdirSync(dir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}
