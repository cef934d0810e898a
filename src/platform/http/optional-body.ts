import type { FastifyReply, FastifyRequest } from 'fastify';

/*
 * A write whose body requires nothing (applying a macro: `expectedVersion` is optional) may be
 * sent without one. Clients do that in two ways, and both were refused: no body at all (400
 * "body must be object") and an empty body that still carries a Content-Type (`curl -X POST
 * -d ''` sends form-urlencoded: 415; an HTTP library's JSON default with nothing in it: 400 "Body
 * cannot be empty"). Only authenticated /api/v1 routes: signed webhooks read their raw bodies.
 */

const SCOPE = '/api/v1/';

function inScope(req: FastifyRequest): boolean {
  return !!req.routeOptions.url?.startsWith(SCOPE) && !req.routeOptions.config?.public;
}

/** `onRequest` hook: an empty body is no body, whatever its Content-Type says. */
export async function emptyBodyIsNone(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
  if (!inScope(req)) return;
  const h = req.raw.headers;
  // As Fastify tells a request without a body (RFC 9112 §6.3: neither length nor chunks is none).
  const empty =
    h['transfer-encoding'] === undefined &&
    (h['content-length'] === undefined || h['content-length'] === '0');
  if (empty && h['content-type'] !== undefined) delete h['content-type'];
}

interface BodySchema {
  type?: unknown;
  required?: unknown[];
  minProperties?: number;
}

/**
 * `preValidation` hook: a missing body is `{}` on a route whose body schema is an object that
 * requires no field; where one is required, validation still answers 400 naming it.
 */
export async function optionalBody(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
  if (req.body !== undefined || !inScope(req)) return;
  const schema = req.routeOptions.schema?.body as BodySchema | undefined;
  if (schema?.type !== 'object') return;
  if ((schema.required?.length ?? 0) > 0 || (schema.minProperties ?? 0) > 0) return;
  req.body = {};
}
