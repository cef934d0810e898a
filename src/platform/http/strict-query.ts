import type { FastifyReply, FastifyRequest } from 'fastify';
import { badRequest } from '../errors.js';

/*
 * A query parameter the API does not know is a 400 naming it and the ones the route takes.
 * Ignored, a misspelt or unsupported filter answered with the unfiltered figure, and the caller
 * believed it filtered: `GET /api/v1/csat?from=…` gave every survey ever sent, `/cases?topic=`
 * every case. One hook for every authenticated route under /api/v1 rather than
 * `additionalProperties: false` on each querystring schema, so a route added later, or one
 * without a querystring schema at all (which took any parameter), is covered too; the message
 * lists every unknown parameter at once, not Ajv's first. Public routes are left alone: a
 * provider or a survey link may add parameters of its own (Jira webhook URLs carry the
 * variables an admin put there).
 */

const SCOPE = '/api/v1/';

/** The parameters a route's querystring schema declares (none without one). */
function declared(req: FastifyRequest): string[] {
  const qs = req.routeOptions.schema?.querystring as { properties?: object } | undefined;
  return Object.keys(qs?.properties ?? {});
}

/** `preValidation` hook: refuses query parameters the route does not declare. */
export async function strictQuery(req: FastifyRequest, _reply: FastifyReply): Promise<void> {
  const url = req.routeOptions.url;
  if (!url?.startsWith(SCOPE) || req.routeOptions.config?.public) return;
  const given = Object.keys((req.query as Record<string, unknown> | undefined) ?? {});
  if (given.length === 0) return;
  const known = declared(req);
  const unknown = given.filter((k) => !known.includes(k));
  if (unknown.length === 0) return;
  const names = unknown.map((k) => JSON.stringify(k)).join(', ');
  const takes = known.length ? `it takes ${known.join(', ')}` : `it takes no query parameters`;
  throw badRequest(
    `unknown query parameter${unknown.length > 1 ? 's' : ''} ${names} for ${req.method} ${url}: ${takes}`,
    { unknown, accepted: known },
  );
}
