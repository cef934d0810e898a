import type { IncomingMessage, ServerResponse } from 'node:http';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type RawServerDefault,
} from 'fastify';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';

/** The Fastify instance type every route module receives (TypeBox-typed schemas). */
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
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // JSON only: a text/plain body is refused with 415 instead of failing validation as a string.
  app.removeContentTypeParser('text/plain');
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
      return reply
        .status(err.status)
        .send({ error: { code: err.code, message: err.message, details: err.details } });
    }
    const fe = err as FastifyError;
    if (fe.validation) {
      return reply.status(400).send({
        error: {
          code: 'bad_request',
          message: `invalid request: ${fe.message}`,
          details: fe.validation,
        },
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
