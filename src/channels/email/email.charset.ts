/**
 * Text parts that declare no charset. RFC 2045 makes that US-ASCII, and mailparser reads it as
 * UTF-8; but old clients and scripts send 8-bit Latin-1 without saying so, and read as UTF-8
 * "Gerät" became "Ger\uFFFDt". Such a part, when its bytes are not valid UTF-8, is declared
 * Windows-1252 (the superset of ISO-8859-1 that mail and browsers mean by Latin-1, as the JSON
 * reader does for a body: src/platform/http/json-charset.ts) and the mail is parsed again.
 * A part that is valid UTF-8 stays UTF-8: only bytes that cannot be UTF-8 are guessed.
 */

interface Insert {
  at: number;
  text: string;
}

const MAX_DEPTH = 20;
const MAX_PARTS = 500;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The mail with `charset=windows-1252` declared on its undeclared non-UTF-8 text parts, or undefined. */
export function declareLatin1Parts(raw: Buffer): Buffer | undefined {
  const text = raw.toString('latin1');
  const inserts: Insert[] = [];
  walk(text, 0, text.length, 0, inserts, { parts: 0 });
  if (inserts.length === 0) return undefined;
  let out = text;
  for (const { at, text: add } of inserts.sort((a, b) => b.at - a.at)) {
    out = out.slice(0, at) + add + out.slice(at);
  }
  return Buffer.from(out, 'latin1');
}

function walk(
  s: string,
  start: number,
  end: number,
  depth: number,
  inserts: Insert[],
  count: { parts: number },
) {
  if (depth > MAX_DEPTH || ++count.parts > MAX_PARTS) return;
  const blank = /\r?\n\r?\n/g;
  blank.lastIndex = start;
  // A part starting with its blank line has no headers.
  const startsBlank = /^\r?\n/.test(s.slice(start, start + 2));
  const m = startsBlank ? null : blank.exec(s);
  const headerEnd = startsBlank ? start : m && m.index < end ? m.index : end;
  const bodyStart = startsBlank
    ? start + (s[start] === '\r' ? 2 : 1)
    : m && m.index < end
      ? m.index + m[0].length
      : end;
  const header = s.slice(start, headerEnd);
  const ct = field(header, 'content-type');
  const type = (ct?.value ?? 'text/plain').split(';')[0].trim().toLowerCase();
  if (type.startsWith('multipart/')) {
    const boundary = param(ct?.value ?? '', 'boundary');
    if (!boundary) return;
    for (const [a, b] of partsOf(s, bodyStart, end, boundary)) {
      walk(s, a, b, depth + 1, inserts, count);
    }
    return;
  }
  if (!type.startsWith('text/') || (ct && param(ct.value, 'charset'))) return;
  const cte = (field(header, 'content-transfer-encoding')?.value ?? '').trim().toLowerCase();
  const bytes = decodeTransfer(s.slice(bodyStart, end), cte);
  if (isUtf8(bytes)) return;
  if (ct) inserts.push({ at: start + ct.end, text: '; charset=windows-1252' });
  else inserts.push({ at: start, text: 'Content-Type: text/plain; charset=windows-1252\r\n' });
}

/** A header field, unfolded, with where its (folded) text ends in the header block. */
function field(header: string, name: string): { value: string; end: number } | undefined {
  const re = new RegExp(`^${name}[ \\t]*:([^\\r\\n]*(?:\\r?\\n[ \\t][^\\r\\n]*)*)`, 'im');
  const m = re.exec(header);
  if (!m) return undefined;
  return { value: m[1].replace(/\r?\n[ \t]/g, ' ').trim(), end: m.index + m[0].length };
}

function param(value: string, name: string): string | undefined {
  const m = new RegExp(`;\\s*${name}\\s*=\\s*(?:"([^"]*)"|([^;\\s]+))`, 'i').exec(value);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** The [start, end) of each body part between `--boundary` lines (RFC 2046 §5.1.1). */
function partsOf(s: string, from: number, end: number, boundary: string): [number, number][] {
  const delimiter = `--${boundary}`;
  const lines: { at: number; next: number; close: boolean }[] = [];
  let i = from;
  while (i < end) {
    const nl = s.indexOf('\n', i);
    const lineEnd = nl < 0 || nl >= end ? end : nl;
    const line = s.slice(i, lineEnd).replace(/\r$/, '').trimEnd();
    if (line === delimiter || line === `${delimiter}--`) {
      lines.push({ at: i, next: Math.min(lineEnd + 1, end), close: line !== delimiter });
    }
    i = lineEnd + 1;
  }
  const parts: [number, number][] = [];
  for (let k = 0; k < lines.length - 1 && !lines[k].close; k++) {
    // The line break before a delimiter belongs to the delimiter.
    const stop = lines[k + 1].at;
    const cut = s[stop - 1] === '\n' ? (s[stop - 2] === '\r' ? stop - 2 : stop - 1) : stop;
    parts.push([lines[k].next, Math.max(lines[k].next, cut)]);
  }
  return parts;
}

function decodeTransfer(body: string, cte: string): Buffer {
  if (cte === 'base64') return Buffer.from(body.replace(/[^A-Za-z0-9+/=]/g, ''), 'base64');
  if (cte === 'quoted-printable') {
    const decoded = body
      .replace(/=\r?\n/g, '')
      .replace(/=([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16)));
    return Buffer.from(decoded, 'latin1');
  }
  return Buffer.from(body, 'latin1');
}

function isUtf8(bytes: Buffer): boolean {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/**
 * Windows-1252's 0x80–0x9F (WHATWG Encoding); the other bytes are Latin-1's. Written out: some
 * Node 20 builds' TextDecoder('windows-1252') decodes these as C1 controls (Latin-1), not as
 * “ ” € – — and the rest.
 */
const CP1252_HIGH =
  '\u20ac\u0081\u201a\u0192\u201e\u2026\u2020\u2021\u02c6\u2030\u0160\u2039\u0152\u008d\u017d\u008f' +
  '\u0090\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u02dc\u2122\u0161\u203a\u0153\u009d\u017e\u0178';
const cp1252 = {
  decode: (bytes: Buffer) =>
    Array.from(bytes, (b) =>
      b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80] : String.fromCharCode(b),
    ).join(''),
};

/**
 * The mail with its own header lines re-encoded as UTF-8 where they are raw 8-bit bytes that are
 * not valid UTF-8, or undefined when none is. RFC 6532 allows UTF-8 in headers and mailparser
 * reads raw bytes as UTF-8, but old clients and list servers still write a Subject or a display
 * name in Latin-1 without an encoded-word: "Formação" came out "Forma\uFFFD\uFFFDo". Such a
 * line is read as Windows-1252, as a body part that declares no charset (declareLatin1Parts).
 * A line that is valid UTF-8 stays as it is, and encoded-words in it are still decoded by the
 * parser. Only the top-level header block: a part's headers name attachments, not the customer.
 */
export function utf8Headers(raw: Buffer): Buffer | undefined {
  const end = headerBlockEnd(raw);
  const lines: Buffer[] = [];
  let changed = false;
  let at = 0;
  while (at < end) {
    const nl = raw.indexOf(0x0a, at);
    const next = nl < 0 || nl >= end ? end : nl + 1;
    const line = raw.subarray(at, next);
    if (line.some((b) => b >= 0x80) && !isUtf8(line)) {
      lines.push(Buffer.from(cp1252.decode(line), 'utf8'));
      changed = true;
    } else lines.push(line);
    at = next;
  }
  return changed ? Buffer.concat([...lines, raw.subarray(end)]) : undefined;
}

/** Where the header block ends: the offset of its empty line, or the mail's end. */
function headerBlockEnd(raw: Buffer): number {
  const lf = raw.indexOf('\n\n');
  const crlf = raw.indexOf('\r\n\r\n');
  const ends = [lf, crlf].filter((i) => i >= 0);
  return ends.length ? Math.min(...ends) + 1 : raw.length;
}
