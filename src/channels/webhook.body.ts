import type { FastifyRequest } from 'fastify';
import { AppError } from '../platform/errors.js';
import { nestedTooDeeply, TOO_DEEP_MESSAGE } from '../platform/http/json-depth.js';
import { parseJsonExact } from './channel.json.js';

/**
 * The body of a signed webhook delivery: the raw bytes must carry a valid signature in `header`
 * (checked by `verify` over exactly those bytes) before they are parsed — with ids kept exact.
 * Failures are AppErrors, so every provider's webhook answers them the same way (415/403/400).
 */
export function signedJsonBody(
  req: FastifyRequest,
  header: string,
  verify: (raw: Buffer, signature: string | undefined) => boolean,
): unknown {
  const raw = req.body;
  if (!Buffer.isBuffer(raw)) {
    throw new AppError('unsupported_media_type', 'send Content-Type: application/json');
  }
  const sig = req.headers[header];
  if (!verify(raw, typeof sig === 'string' ? sig : undefined)) {
    throw new AppError('forbidden', `invalid or missing ${header}`);
  }
  // Checked on the bytes: lossless-json parses recursively, and so do the walks after it.
  if (nestedTooDeeply(raw)) throw new AppError('bad_request', TOO_DEEP_MESSAGE);
  try {
    return parseJsonExact(raw.toString('utf8'));
  } catch {
    throw new AppError('bad_request', 'body is not JSON');
  }
}
