import { type TSchema, Type } from '@sinclair/typebox';

/**
 * Response schemas shared by the routes, so that the OpenAPI document (`GET /api/openapi.json`)
 * declares the status codes a route really answers: a route with no `response` was documented
 * as "200 Default Response" whatever it returned (201 for a create, 204 for a delete, 422 for a
 * refusal), and a generated client treated those as errors. `test/openapi.status.test.ts` calls
 * the routes and checks each answer's code against the document.
 */

/** The body of every error answer (server.ts's error handler). */
export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.String({ description: 'stable error code (src/platform/errors.ts)' }),
    message: Type.String(),
    details: Type.Optional(Type.Unknown()),
  }),
});

/** An error answer with what it means on this route (the OpenAPI response's description). */
export const Refusal = (description: string) => Type.Object(ErrorBody.properties, { description });

/** The `:id` path parameter of most routes. */
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });

/**
 * A success whose body the route does not describe field by field. An empty schema: Fastify
 * serialises it as `JSON.stringify` would, where an object schema drops undeclared fields.
 */
export const Json = (description = 'OK') => Type.Unknown({ description });

/** `201 Created` with the new resource (or its id): `{ 201: Created() }`. */
export const Created = (schema: TSchema = Json('Created')) => schema;

/** `204 No Content`: declared `null`, so the document gives it no body. */
export const NoContent = Type.Null({ description: 'No Content' });

/** 409: the resource changed since the client read it (its `expectedVersion` is stale). */
export const VersionConflict = Refusal(
  'conflict: the resource changed since the client read it (`expectedVersion` is stale); read it again',
);

/**
 * 422 on a reply the channel cannot carry (case.reply.ts, also through a macro or a hand-off):
 * nothing was queued.
 */
export const ReplyRefused = Refusal(
  'the channel cannot carry this reply, so nothing was queued: `window_closed` (its messaging window, and where else the customer can be reached), `too_long` (its length limit) or `not_configured` (the desk cannot send on this kind of channel at all: voice, or `api`/`webchat` without an outbound URL; rule `no_sender`, and where else the customer can be reached), `details.rule` naming the rule; also `invalid_transition` (no message a reply could answer, or a change the lifecycle does not allow)',
);

/** 422: well formed, but a business rule refuses it (`error.code` says which; nothing changed). */
export const Refused = (why = 'the state of the resource does not allow this') =>
  Refusal(
    `refused by a business rule, nothing changed (\`invalid_transition\` unless said otherwise): ${why}`,
  );

const COMMON: Record<string, string> = {
  400: 'bad_request: the body, a parameter or the query string is not valid (an undeclared query parameter too)',
  401: 'unauthenticated: no valid sign-in',
  403: 'forbidden: the role may not do this',
  404: 'not_found: no such resource in the workspace',
  413: 'payload_too_large: the body is larger than the server takes',
  415: 'unsupported_media_type: the body is not `application/json`',
  431: 'headers_too_large: the headers or the URL (its query string) are too long',
  503: 'database_unavailable: the database cannot be reached now; retry later',
};

/** What the shared codes mean on a provider's webhook (`/webhooks/…`): its channel, its body. */
const WEBHOOK: Record<string, string> = {
  400: "bad_request: the body is not the provider's format (not JSON or too deeply nested; a query parameter missing)",
  404: 'not_found: no such channel, or it is disabled',
  413: 'payload_too_large: the body is larger than the provider sends',
  415: "unsupported_media_type: the body is not of the provider's content type (JSON; form-encoded for Twilio)",
};

/**
 * 403 on a provider's webhook: the request does not prove it comes from the provider for this
 * channel (signature, verify token, or an account that is not the channel's). Nothing stored.
 */
export const WebhookRefused = Refusal(
  "forbidden: the signature, verify token or account is not the channel's; nothing was stored",
);

/** A provider webhook's answers: its success, and the refusals it answers in its own code. */
export const webhookResponses = (success: string) => ({
  200: Json(success),
  400: Refusal(WEBHOOK[400]),
  403: WebhookRefused,
  404: Refusal(WEBHOOK[404]),
});

/** Methods whose requests carry a body, so that its size and media type can be refused. */
const WITH_BODY = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Completes an /api/v1 route's `response` with the errors every such route can answer: 400, and
 * for a signed-in route 401 and 403, for a route with a path parameter 404 (an unknown id), for
 * one with a body 413 and 415, and for all 431 (headers or URL too long) and 503 (no database).
 * A route that declares no success keeps the 200 it had. Declared codes are left as they are.
 * A public route that refuses its own way declares it itself (the status webhooks' 401 on a bad
 * signature, the survey's 403 to a desk sign-in): `test/openapi.status.test.ts` calls them.
 */
export function withCommonResponses(
  url: string,
  isPublic: boolean,
  response: Record<string, unknown> | undefined,
  method: string | string[] = 'GET',
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...(response ?? {}) };
  if (!Object.keys(out).some((code) => code.startsWith('2'))) out[200] = Json();
  const codes = ['400'];
  if (!isPublic) codes.push('401', '403');
  if (url.includes('/:')) codes.push('404');
  if ([method].flat().some((m) => WITH_BODY.has(m.toUpperCase()))) codes.push('413', '415');
  codes.push('431', '503');
  const webhook = url.startsWith('/webhooks/');
  for (const code of codes) out[code] ??= Refusal((webhook && WEBHOOK[code]) || COMMON[code]);
  return out;
}
