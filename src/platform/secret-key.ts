import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  linkSync,
  mkdirSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
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
  if (existsSync(file)) return readKeyFile(file);
  mkdirSync(dir, { recursive: true });
  return createKeyFile(file);
}

function readKeyFile(file: string): Buffer {
  const key = decodeKey(readFileSync(file, 'utf8').trim());
  if (!key) throw new Error(`${file} does not hold a 32-byte key (hex or base64)`);
  return key;
}

/**
 * A new key in `file`, or the one another process put there first. Two commands started at once
 * on a new desk (two replays) both found no file: one failed with EEXIST, or read the other's
 * file before its key was written. The key is written whole to a file of its own, then linked
 * into place, which either succeeds or finds a complete file there.
 */
export function createKeyFile(file: string): Buffer {
  const key = randomBytes(32);
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  writeFileSync(tmp, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  try {
    linkSync(tmp, file);
  } catch (err) {
    if ((err as { code?: string }).code !== 'EEXIST') throw err;
    return readKeyFile(file);
  } finally {
    unlinkSync(tmp);
  }
  chmodSync(file, 0o600);
  return key;
}
