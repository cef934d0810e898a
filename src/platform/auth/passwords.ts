import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import { HashGate } from './hash-gate.js';

const scrypt = promisify(scryptCb) as (
  password: string,
  salt: Buffer,
  keylen: number,
  options: { N: number; r: number; p: number; maxmem: number },
) => Promise<Buffer>;

// scrypt parameters from OWASP's password storage guidance (N=2^17, r=8, p=1).
const PARAMS = { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 };

/**
 * Every scrypt of the process goes through one gate: the libuv thread pool it runs on is the
 * process's (4 threads unless UV_THREADPOOL_SIZE says otherwise), so the limit is too. Two
 * hashes at a time leave half the pool to file system and other work; 64 more may wait.
 */
export const hashGate = new HashGate(2, 64);

/** Hashes a password as `scrypt$N$r$p$salt$hash` (base64), self-describing for future upgrades. */
export async function hashPassword(password: string, queueKey = 'local'): Promise<string> {
  const salt = randomBytes(16);
  const hash = await hashGate.run(queueKey, () =>
    scrypt(password.normalize('NFKC'), salt, 32, PARAMS),
  );
  return [
    'scrypt',
    PARAMS.N,
    PARAMS.r,
    PARAMS.p,
    salt.toString('base64'),
    hash.toString('base64'),
  ].join('$');
}

/** `queueKey`: who is asking (their address), so callers take turns at the hashing gate. */
export async function verifyPassword(
  password: string,
  stored: string,
  queueKey = 'local',
): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [, n, r, p, saltB64, hashB64] = parts;
  const expected = Buffer.from(hashB64, 'base64');
  const actual = await hashGate.run(queueKey, () =>
    scrypt(password.normalize('NFKC'), Buffer.from(saltB64, 'base64'), expected.length, {
      N: Number(n),
      r: Number(r),
      p: Number(p),
      maxmem: PARAMS.maxmem,
    }),
  );
  return timingSafeEqual(actual, expected);
}

/** A random password people can type: 20 characters from an unambiguous alphabet. */
export function generatePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(20);
  return Array.from(bytes, (b) => alphabet[b % alphabet.length]).join('');
}
