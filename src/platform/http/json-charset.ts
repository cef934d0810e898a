import { AppError } from '../errors.js';

/**
 * The text of a JSON body in the charset its Content-Type declares. JSON is UTF-8 (RFC 8259),
 * and that is what nearly every client sends; some older systems post Latin-1 or UTF-16 and say
 * so. Read as UTF-8, their accented letters became U+FFFD and the message was stored damaged
 * with a 202. A declared charset we cannot read is refused (415) rather than guessed.
 */
const DECODERS: Record<string, string> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'us-ascii': 'utf-8',
  ascii: 'utf-8',
  'iso-8859-1': 'latin1',
  'iso8859-1': 'latin1',
  latin1: 'latin1',
  'windows-1252': 'windows-1252',
  cp1252: 'windows-1252',
  'iso-8859-15': 'iso-8859-15',
  'utf-16': 'utf-16le',
  'utf-16le': 'utf-16le',
  'utf-16be': 'utf-16be',
};

export function charsetOf(contentType: string | undefined): string | null {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return m ? m[1].toLowerCase() : null;
}

export function decodeJsonBody(body: Buffer, contentType: string | undefined): string {
  const declared = charsetOf(contentType);
  let label = declared ? DECODERS[declared] : 'utf-8';
  if (!label)
    throw new AppError(
      'unsupported_media_type',
      `charset ${declared} is not supported; send UTF-8 (or ISO-8859-1, Windows-1252, UTF-16)`,
    );
  if (declared === 'utf-16') label = utf16Order(body);
  if (label === 'windows-1252') return decodeWindows1252(body);
  return new TextDecoder(label).decode(body);
}

/**
 * The byte order of a body declared plain "utf-16": its byte-order mark says which; without one,
 * RFC 2781 (4.3) says big-endian unless something else tells. JSON text starts with an ASCII
 * character (`{`, `[`, `"`, a digit or white space), so its first code unit has one zero byte:
 * `7B 00` can only be little-endian (what Windows writes without a mark), `00 7B` big-endian.
 */
function utf16Order(body: Buffer): 'utf-16be' | 'utf-16le' {
  if (body[0] === 0xfe && body[1] === 0xff) return 'utf-16be';
  if (body[0] === 0xff && body[1] === 0xfe) return 'utf-16le';
  if (body.length >= 2 && body[0] !== 0 && body[1] === 0) return 'utf-16le';
  return 'utf-16be';
}

/**
 * Windows-1252's 0x80–0x9F (the WHATWG Encoding Standard's index-windows-1252): the 27 assigned
 * code points, and 0x81, 0x8D, 0x8F, 0x90 and 0x9D as the C1 control of the same value.
 */
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x192, 0x201e, 0x2026, 0x2020, 0x2021, 0x2c6, 0x2030, 0x160, 0x2039, 0x152,
  0x8d, 0x17d, 0x8f, 0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x2dc, 0x2122,
  0x161, 0x203a, 0x153, 0x9d, 0x17e, 0x178,
].map((cp) => String.fromCharCode(cp));

/**
 * Windows-1252 by our own table: Node 20's `TextDecoder('windows-1252')` maps 0x80–0x9F to C1
 * controls (nodejs/node#56542), so "€" and curly quotes arrived as invisible control characters.
 * Every other byte is the code point of the same value, as in ISO-8859-1.
 */
export function decodeWindows1252(body: Buffer): string {
  return body
    .toString('latin1')
    .replace(/[\u0080-\u009f]/g, (c) => CP1252_HIGH[c.charCodeAt(0) - 0x80]);
}
