import type { FastifyReply, FastifyRequest } from 'fastify';
import { badRequest } from '../errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * What a NUL character (U+0000) in the parsed body does. Default: the request is refused
     * (400). `replace`: every NUL in a body string becomes U+FFFD (a customer's free text, e.g.
     * the CSAT comment). `route`: the route deals with it itself (the inbound intake keeps
     * customer text and refuses identifiers, `src/ingest/inbound.nul.ts`).
     */
    nulInBody?: 'replace' | 'route';
    /** Free-text query parameters the route cleans itself (the case search drops NUL from `q`). */
    nulInQuery?: string[];
  }
}

export const NUL_MESSAGE = 'NUL characters are not allowed';
export const SURROGATE_MESSAGE =
  'an unpaired UTF-16 surrogate (half an emoji: "\\ud83d" alone) is not text';
export const REPLACEMENT = '\uFFFD';

/**
 * Half of a UTF-16 surrogate pair with no other half (JSON "\ud83d" alone). No engine stores
 * one as sent: SQLite keeps the invalid UTF-8 bytes ED A0 BD and reads back three U+FFFD, so a
 * status update typed with half an emoji reached customers as "\uFFFD\uFFFD\uFFFD".
 */
export const LONE_SURROGATE =
  /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const LONE_SURROGATES = new RegExp(LONE_SURROGATE.source, 'g');

/** Each lone surrogate of a string as one U+FFFD (the same string when it has none). */
export function replaceLoneSurrogates(s: string): string {
  return LONE_SURROGATE.test(s) ? s.replace(LONE_SURROGATES, REPLACEMENT) : s;
}

/** Every NUL of a string replaced by U+FFFD (the same string when it has none). */
export function replaceNul(s: string): string {
  return s.includes('\u0000') ? s.replaceAll('\u0000', REPLACEMENT) : s;
}

/**
 * The JSON-pointer-like path of the first string (value or key) holding a NUL character, or
 * undefined. Buffers (the raw bodies of signed webhooks) are not looked into. Iterative (an
 * explicit stack, in document order): a value nested thousands deep must not overflow the stack.
 */
export function findNul(v: unknown, path = ''): string | undefined {
  return findString(v, (s) => s.includes('\u0000'), path);
}

/** `findNul` for any test of a string (value or key). */
export function findString(
  v: unknown,
  test: (s: string) => boolean,
  path = '',
): string | undefined {
  type Task = { key: string; path: string } | { value: unknown; path: string };
  const stack: Task[] = [{ value: v, path }];
  for (let task = stack.pop(); task; task = stack.pop()) {
    if ('key' in task) {
      if (test(task.key)) return task.path;
      continue;
    }
    const x = task.value;
    if (typeof x === 'string') {
      if (test(x)) return task.path || '/';
      continue;
    }
    if (x === null || typeof x !== 'object' || Buffer.isBuffer(x)) continue;
    // Pushed last-first, so the first key, then its value, comes off the stack first.
    if (Array.isArray(x)) {
      for (let i = x.length - 1; i >= 0; i--)
        stack.push({ value: x[i], path: `${task.path}/${i}` });
      continue;
    }
    const entries = Object.entries(x);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [k, y] = entries[i];
      stack.push({ value: y, path: `${task.path}/${k}` });
      stack.push({ key: k, path: `${task.path}/${k.replaceAll('\u0000', '\\u0000')}` });
    }
  }
  return undefined;
}

/**
 * A copy of a JSON value with every NUL in its strings (values and keys) replaced by U+FFFD
 * (or each string passed through `fix`). Iterative, like `findNul`: containers are copied level
 * by level from a queue.
 */
export function replaceNulDeep<T>(v: T, fix: (s: string) => string = replaceNul): T {
  const copy = (x: unknown, queue: [unknown, (y: unknown) => void][]): unknown => {
    if (typeof x === 'string') return fix(x);
    if (x === null || typeof x !== 'object' || Buffer.isBuffer(x)) return x;
    if (Array.isArray(x)) {
      const out: unknown[] = new Array(x.length);
      for (let i = 0; i < x.length; i++) {
        queue.push([
          x[i],
          (z) => {
            out[i] = z;
          },
        ]);
      }
      return out;
    }
    const out: Record<string, unknown> = {};
    for (const [k, y] of Object.entries(x)) {
      const key = fix(k);
      queue.push([
        y,
        (z) => {
          out[key] = z;
        },
      ]);
    }
    return out;
  };
  const queue: [unknown, (y: unknown) => void][] = [];
  const root = copy(v, queue);
  // First in, first out: keys of one object are filled in their order, so when two keys become
  // one ("a\0" and "a\uFFFD") the later one wins, as an assignment in order would.
  for (let i = 0; i < queue.length; i++) {
    const [x, set] = queue[i];
    set(copy(x, queue));
  }
  return root as T;
}

/**
 * Refuses a NUL character anywhere in the path parameters, the query string or a parsed body
 * (one hook for every route, run before schema validation).
 *
 * Why: PostgreSQL's text types cannot hold U+0000 ("invalid byte sequence for encoding UTF8:
 * 0x00"), so any such value that reached a query answered 500 there, while SQLite looked it up
 * and answered 404 or 200. No id we issue, no filter value and no setting legitimately holds a
 * NUL, so it is a malformed request on both engines: 400 `bad_request`, with where it was.
 * An id in the path is refused with the same 400 rather than 404: "not found" would say the
 * request was well formed and named something that does not exist, and the guard (which runs
 * for every route, before any lookup) would have to know which parameters are ids.
 *
 * Raw bodies (signed webhooks keep the exact bytes to verify them) are Buffers or strings and
 * are not looked into: their adapters parse them after the signature check and hand the
 * messages to the shared inbound path, which keeps customer text (NUL → U+FFFD) and refuses
 * identifiers with a NUL.
 */
export async function nulGuard(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
  const where =
    inPart('params', req.params) ??
    inPart('query', withoutKeys(req.query, req.routeOptions.config?.nulInQuery)) ??
    (req.routeOptions.config?.nulInBody || typeof req.body !== 'object'
      ? undefined
      : inPart('body', req.body));
  if (where) throw badRequest(NUL_MESSAGE, { in: where });
  // What a person or a client writes (replies, notes, status updates, titles, settings) is
  // refused with half an emoji, as with a NUL: nothing else could be stored as it was sent.
  const mode = req.routeOptions.config?.nulInBody;
  if (!mode && typeof req.body === 'object') {
    const at = findString(req.body, (x) => LONE_SURROGATE.test(x));
    if (at !== undefined)
      throw badRequest(SURROGATE_MESSAGE, { in: at === '/' ? 'body' : `body${at}` });
  }
  if (
    mode === 'replace' &&
    findString(req.body, (x) => x.includes('\u0000') || LONE_SURROGATE.test(x))
  ) {
    req.body = replaceNulDeep(req.body, (x) => replaceLoneSurrogates(replaceNul(x)));
  }
}

function inPart(part: string, v: unknown): string | undefined {
  const p = findNul(v);
  return p === undefined ? undefined : p === '/' ? part : `${part}${p}`;
}

function withoutKeys(v: unknown, keys: string[] | undefined): unknown {
  if (!keys?.length || v === null || typeof v !== 'object') return v;
  return Object.fromEntries(Object.entries(v).filter(([k]) => !keys.includes(k)));
}
