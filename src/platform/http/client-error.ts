import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';

/**
 * Errors Node's HTTP parser raises before any request exists (headers or URL over the 16 KiB
 * limit, a malformed request, a request that took too long to arrive), answered in the app's error
 * shape `{"error": {"code", "message"}}` instead of Fastify's own `{"error": "<status text>", …}`.
 * Like Fastify's default handler it writes the response straight onto the socket and closes it.
 */
export function clientErrorHandler(
  this: FastifyInstance,
  err: NodeJS.ErrnoException,
  socket: Socket,
): void {
  // A reset connection has no one left to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, text, code, message] =
    err.code === 'HPE_HEADER_OVERFLOW'
      ? [
          431,
          'Request Header Fields Too Large',
          'headers_too_large',
          'request headers or URL are too large',
        ]
      : err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'request_timeout', 'the request took too long to arrive']
        : [400, 'Bad Request', 'bad_request', 'the request is not valid HTTP'];
  this.log.trace({ err }, `client error ${status}`);
  const body = JSON.stringify({ error: { code, message } });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${text}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(err);
}
