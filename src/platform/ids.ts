import { randomFillSync } from 'node:crypto';

// Randomness is drawn from the OS in 16 KiB blocks: one syscall per thousand ids instead of one
// per id (the pipeline makes several ids per message).
const POOL = Buffer.allocUnsafe(16 * 1024);
let offset = POOL.length;
let lastMs = 0;
let seq = 0;

function randomBytes10(): Buffer {
  if (offset + 10 > POOL.length) {
    randomFillSync(POOL);
    offset = 0;
  }
  const out = POOL.subarray(offset, offset + 10);
  offset += 10;
  return out;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * Time-ordered ids (UUIDv7, RFC 9562 §5.7): 48-bit millisecond timestamp, then a 12-bit counter
 * in `rand_a` (method 1 of §6.2) so ids made in the same millisecond by this process still sort
 * in creation order, then 62 random bits. Safe to generate on any node.
 */
export function newId(): string {
  let ms = Date.now();
  if (ms > lastMs) {
    lastMs = ms;
    seq = 0;
  } else {
    ms = lastMs;
    seq++;
    if (seq > 0xfff) {
      // Counter exhausted within one millisecond: borrow the next millisecond.
      lastMs = ++ms;
      seq = 0;
    }
  }
  const r = randomBytes10();
  const b = new Uint8Array(16);
  b[0] = ms / 2 ** 40;
  b[1] = ms / 2 ** 32;
  b[2] = ms >>> 24;
  b[3] = ms >>> 16;
  b[4] = ms >>> 8;
  b[5] = ms;
  b[6] = 0x70 | (seq >>> 8);
  b[7] = seq & 0xff;
  b[8] = 0x80 | (r[0] & 0x3f);
  for (let i = 9; i < 16; i++) b[i] = r[i - 8];
  let s = '';
  for (let i = 0; i < 16; i++) {
    s += HEX[b[i]];
    if (i === 3 || i === 5 || i === 7 || i === 9) s += '-';
  }
  return s;
}
