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
export const REPLACEMENT = '\uFFFD';

/** Every NUL of a string replaced by U+FFFD (the same string when it has none). */
export function replaceNul(s: string): string {
  return s.includes('\u0000') ? s.replaceAll('\u0000', REPLACEMENT) : s;
}

/**
 * The JSON-pointer-like path of the first string (value or key) holding a NUL character, or
 * undefined. Buffers (the raw bodies of signed webhooks) are not looked into.
 */
export function findNul(v: unknown, path = ''): string | undefined {
  if (typeof v === 'string') return v.includes('\u0000') ? path || '/' : undefined;
  if (v === null || typeof v !== 'object' || Buffer.isBuffer(v)) return undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = findNul(v[i], `${path}/${i}`);
      if (p) return p;
    }
    return undefined;
  }
  for (const [k, x] of Object.entries(v)) {
    if (k.includes('\u0000')) return `${path}/${k.replaceAll('\u0000', '\\u0000')}`;
    const p = findNul(x, `${path}/${k}`);
    if (p) return p;
  }
  return undefined;
}

/** A copy of a JSON value with every NUL in its strings (values and keys) replaced by U+FFFD. */
export function replaceNulDeep<T>(v: T): T {
  if (typeof v === 'string') return replaceNul(v) as T;
  if (v === null || typeof v !== 'object' || Buffer.isBuffer(v)) return v;
  if (Array.isArray(v)) return v.map(replaceNulDeep) as T;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) out[replaceNul(k)] = replaceNulDeep(x);
  return out as T;
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
  if (req.routeOptions.config?.nulInBody === 'replace' && findNul(req.body)) {
    req.body = replaceNulDeep(req.body);
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
