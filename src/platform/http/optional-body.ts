import type { FastifyReply, FastifyRequest } from 'fastify';

/*
 * A write whose body requires nothing (applying a macro: `expectedVersion` is optional) may be
 * sent without one. Clients do that in two ways, and both were refused: no body at all (400
 * "body must be object") and an empty body that still carries a Content-Type (`curl -X POST
 * -d ''` sends form-urlencoded: 415; an HTTP library's JSON default with nothing in it: 400 "Body
 * cannot be empty").
 *
 * Opt-in per route (`config: { optionalBody: true }`), never by schema alone: many writes
 * require no field yet must not run on an empty request (retrying every parked event, accepting
 * a customer match, which merges them; assigning a case). A stray empty POST to them stays a
 * 400, so a mistaken or half-built call changes nothing. Set it only where an empty body is the
 * expected, harmless way to call the route, and say why beside it.
 */

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A missing or empty body is `{}` (the body schema must require nothing): optional-body.ts. */
    optionalBody?: boolean;
  }
}

function inScope(req: FastifyRequest): boolean {
  return req.routeOptions.config?.optionalBody === true;
}

/** `onRequest` hook: on an opted-in route, an empty body is no body, whatever its Content-Type. */
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
 * `preValidation` hook: on an opted-in route, a missing body is `{}` if the body schema is an
 * object that requires no field; where one is required, validation still answers 400 naming it.
 */
export async function optionalBody(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
  if (req.body !== undefined || !inScope(req)) return;
  const schema = req.routeOptions.schema?.body as BodySchema | undefined;
  if (schema?.type !== 'object') return;
  if ((schema.required?.length ?? 0) > 0 || (schema.minProperties ?? 0) > 0) return;
  req.body = {};
}
