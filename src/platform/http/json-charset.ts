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
  // "utf-16" without an order: the byte-order mark says which.
  if (declared === 'utf-16' && body[0] === 0xfe && body[1] === 0xff) label = 'utf-16be';
  return new TextDecoder(label).decode(body);
}
