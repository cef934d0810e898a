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
