import pino, { type DestinationStream, type Logger } from 'pino';

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
