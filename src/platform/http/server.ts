import type { IncomingMessage, ServerResponse } from 'node:http';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type RawServerDefault,
} from 'fastify';
import type { Logger } from 'pino';
import { isDatabaseUnavailable } from '../db/db-errors.js';
import { AppError, badRequest } from '../errors.js';
import { clientErrorHandler } from './client-error.js';
import { decodeJsonBody } from './json-charset.js';
import { nestedTooDeeply, TOO_DEEP_MESSAGE } from './json-depth.js';
import { nulGuard } from './nul-guard.js';
import { emptyBodyIsNone, optionalBody } from './optional-body.js';
import { withCommonResponses } from './responses.js';
import { securityHeaders } from './security-headers.js';
import { strictQuery } from './strict-query.js';
import { validationMessage } from './validation-message.js';
import { buildValidator } from './validators.js';

const POLLUTION_MESSAGE =
  'body has a "__proto__" key or a "constructor" with "prototype", which are refused';

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The Fastify instance type every route module receives (TypeBox-typed schemas). */
/** What a client is told to wait while the database is unreachable. */
const DATABASE_RETRY_AFTER_SECONDS = 5;

export type Http = FastifyInstance<
  RawServerDefault,
  IncomingMessage,
  ServerResponse,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export function createHttpServer(logger: Logger | false): Http {
  const app = Fastify({
    loggerInstance: logger || undefined,
    bodyLimit: 1024 * 1024,
    // Webhooks and the API answer with request ids so a user can quote one in a bug report.
    requestIdHeader: false,
    // SSE streams never go idle; close them on shutdown instead of waiting forever.
    forceCloseConnections: true,
    // Over-long headers or URL (431) and other parser errors in the app's error shape.
    clientErrorHandler,
    // Query strings are coerced from text, JSON bodies checked as sent (validators.ts).
    schemaController: { compilersFactory: { buildValidator } },
    // Errors the router raises before any route runs (a path that is not valid percent-encoding,
    // e.g. /problems/%ff) get the app's error shape, not Fastify's own.
    frameworkErrors: (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => {
      const status = err.statusCode ?? 500;
      if (status >= 500) {
        req.log.error({ err, reqId: req.id }, 'unhandled framework error');
        return reply
          .status(500)
          .send({ error: { code: 'internal', message: `internal error (request ${req.id})` } });
      }
      const message =
        err.code === 'FST_ERR_BAD_URL' ? 'the URL is not valid percent-encoded UTF-8' : err.message;
      return reply.status(status).send({ error: { code: 'bad_request', message } });
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Before validation on every route: a NUL character in params, query or a parsed body is a 400.
  app.addHook('preValidation', nulGuard);
  // A query parameter an /api/v1 route does not declare is a 400, not silently ignored.
  app.addHook('preValidation', strictQuery);
  // A route that opts in (`config.optionalBody`) may be sent without a body (optional-body.ts).
  app.addHook('onRequest', emptyBodyIsNone);
  app.addHook('preValidation', optionalBody);
  // nosniff, no-referrer, and no-store on the API, on every answer (security-headers.ts).
  app.addHook('onSend', securityHeaders);

  // JSON only: a text/plain body is refused with 415 instead of failing validation as a string.
  app.removeContentTypeParser('text/plain');
  // Fastify's own JSON parser (prototype-poisoning checks kept), behind a nesting limit checked
  // on the text before anything parses or walks it: a body nested thousands deep overflowed the
  // stack of the NUL guard (500 on every route, before sign-in too). Scoped parsers of raw
  // webhook bodies check it themselves after the signature (`signedJsonBody`).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) => {
    let text: string;
    try {
      text = decodeJsonBody(body as Buffer, req.headers['content-type']);
    } catch (err) {
      done(err as Error, undefined);
      return;
    }
    if (nestedTooDeeply(text)) done(badRequest(TOO_DEEP_MESSAGE), undefined);
    else
      parseJson(req, text, (err, value) => {
        // Fastify's parser says "not valid JSON" for valid JSON it refuses to build: a
        // `__proto__` key, or `constructor` holding `prototype` (prototype pollution). Say so.
        if (err && (err as FastifyError).code === 'FST_ERR_CTP_INVALID_JSON_BODY' && isJson(text)) {
          done(badRequest(POLLUTION_MESSAGE), undefined);
        } else done(err, value);
      });
  });
  // The OpenAPI document requires a sign-in everywhere (`security` below) except where a route
  // is public: health, sign-in, the survey, webhooks that verify their own signatures. Without
  // this it said they need the desk credential some of them refuse (the survey answers 403 to it).
  app.addHook('onRoute', (route) => {
    if (route.config?.public) route.schema = { ...(route.schema ?? {}), security: [] };
    // Every /api/v1 route and provider webhook declares the errors any of them can answer
    // (responses.ts); what is particular to a route (201, 204, 403, 409, 422) its own schema says.
    const documented = route.url.startsWith('/api/v1/') || route.url.startsWith('/webhooks/');
    if (documented && !(route.schema as { hide?: boolean })?.hide) {
      const response = route.schema?.response as Record<string, unknown> | undefined;
      route.schema = {
        ...(route.schema ?? {}),
        response: withCommonResponses(route.url, !!route.config?.public, response, route.method),
      };
    }
  });
  app.register(cookie);
  app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Throughline API',
        version: '1',
        description: 'Customer care that fixes causes, on every channel.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: 'tl_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });

  app.setErrorHandler((err: FastifyError | AppError, req, reply) => {
    if (err instanceof AppError) {
      const retryAfter = (err.details as { retryAfterSeconds?: unknown } | undefined)
        ?.retryAfterSeconds;
      if (err.code === 'rate_limited' && typeof retryAfter === 'number') {
        reply.header('retry-after', String(retryAfter));
      }
      return reply
        .status(err.status)
        .send({ error: { code: err.code, message: err.message, details: err.details } });
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      // Ajv says "must NOT have additional properties" without naming one; a caller who wrote
      // `message` for `body` needs to read which field was not taken.
      const extra = fe.validation.find((v) => v.keyword === 'additionalProperties')?.params
        ?.additionalProperty;
      const message =
        typeof extra === 'string'
          ? `invalid request: ${fe.validationContext ?? 'body'} has no field "${extra}"`
          : `invalid request: ${validationMessage(fe.validationContext ?? 'body', fe.validation, fe.message)}`;
      return reply.status(400).send({
        error: { code: 'bad_request', message, details: fe.validation },
      });
    }
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply
        .status(413)
        .send({ error: { code: 'payload_too_large', message: 'request body is too large' } });
    }
    if (fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.status(415).send({
        error: { code: 'unsupported_media_type', message: 'send Content-Type: application/json' },
      });
    }
    const status = fe.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      return reply.status(status).send({ error: { code: 'bad_request', message: fe.message } });
    }
    if (isDatabaseUnavailable(err)) {
      // An outage, not a bug: no stack per request while it lasts; healthz says the same.
      req.log.warn(
        { reqId: req.id, code: (err as { code?: unknown }).code, error: err.message },
        'database unavailable',
      );
      return reply
        .status(503)
        .header('retry-after', String(DATABASE_RETRY_AFTER_SECONDS))
        .send({
          error: {
            code: 'database_unavailable',
            message: 'the database is unavailable; retry later',
          },
        });
    }
    req.log.error({ err, reqId: req.id }, 'unhandled error');
    return reply
      .status(500)
      .send({ error: { code: 'internal', message: `internal error (request ${req.id})` } });
  });

  app.setNotFoundHandler((req, reply) => {
    reply.status(404).send({
      error: { code: 'not_found', message: `no route ${req.method} ${req.url.split('?')[0]}` },
    });
  });

  return app as unknown as Http;
}
