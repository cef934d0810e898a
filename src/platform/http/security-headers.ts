import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Headers every answer carries, whatever route or error produced it.
 * - `nosniff`: a browser must take a JSON answer holding customer text as JSON, never guess it
 *   is HTML or script (customer text is untrusted everywhere, above all in the browser).
 * - `no-store` on the API: answers hold customer text and personal data; no shared or browser
 *   cache should keep a copy after sign-out. A route that chose its own caching keeps it.
 * - `no-referrer` unless a route set a policy: links in customer text must not learn the desk's
 *   URLs (case ids, survey tokens) from the Referer header.
 */
export async function securityHeaders(
  req: FastifyRequest,
  reply: FastifyReply,
  payload: unknown,
): Promise<unknown> {
  reply.header('x-content-type-options', 'nosniff');
  if (!reply.hasHeader('referrer-policy')) reply.header('referrer-policy', 'no-referrer');
  if (req.url.startsWith('/api/') && !reply.hasHeader('cache-control')) {
    reply.header('cache-control', 'no-store');
  }
  return payload;
}
