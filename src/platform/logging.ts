import pino, { type DestinationStream, type Logger } from 'pino';
import { loggableUrl } from './log-url.js';

/**
 * Structured JSON logs. Secrets and message bodies are redacted by path so that a careless
 * `log.info({ req })` cannot leak them; bodies are logged only when explicitly enabled.
 */
export function createLogger(
  level: string,
  opts: { destination?: number | string | DestinationStream } = {},
): Logger {
  return pino(
    {
      level,
      // The web server logs each request with this (it takes the logger's own serializers).
      serializers: { req: requestSummary },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          'req.headers["x-hub-signature-256"]',
          'req.headers["x-twitter-webhooks-signature"]',
          'password',
          'token',
          'secret',
          '*.password',
          '*.token',
          '*.secret',
          'text',
          '*.text',
          'body',
        ],
        censor: '[redacted]',
      },
    },
    typeof opts.destination === 'object'
      ? opts.destination
      : pino.destination(opts.destination ?? 1),
  );
}

/** A request as its log lines show it: the URL without what people typed (`log-url.ts`). */
function requestSummary(req: {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}) {
  return {
    method: req.method,
    url: typeof req.url === 'string' ? loggableUrl(req.url) : req.url,
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}
