import { describe, expect, it } from 'vitest';
import {
  ConnectorError,
  fromHttpStatus,
  httpStatusKind,
  loggableError,
  secretForms,
} from './connector-error.js';
import { graphCall, graphError } from './meta/meta.client.js';
import { fromTwilioError } from './sms/sms.errors.js';

const NOW = Date.UTC(2026, 11, 1, 12, 0, 0);

describe('HTTP status in the connector taxonomy', () => {
  it('reads the kind from the status', () => {
    const kinds = [429, 401, 403, 500, 503, 400, 404, 302, 408].map(httpStatusKind);
    expect(kinds).toEqual([
      'rate_limited',
      'auth_revoked',
      'permission_missing',
      'temporary',
      'temporary',
      'bad_request',
      'bad_request',
      'unknown',
      // A request timeout is the server giving up waiting, not a refusal: retried.
      'temporary',
    ]);
    expect(fromHttpStatus(408, 'timed out', null, NOW).retryable).toBe(true);
  });

  it("keeps the provider's body in the message but out of the log line unless asked", () => {
    const ce = fromHttpStatus(400, 'invalid title "Fibre cut at 12 Elm St"', null, NOW);
    // The stored error (the outbox's last error, a channel's health) is as it was.
    expect(ce.message).toBe('rejected 400: invalid title "Fibre cut at 12 Elm St"');
    expect(loggableError(ce, false)).toBe('bad_request: rejected 400');
    expect(loggableError(ce, true)).toBe(
      'bad_request: rejected 400: invalid title "Fibre cut at 12 Elm St"',
    );
    expect(fromHttpStatus(429, '', null, NOW).message).toBe('rate limited: ');
  });

  it('waits out a 429 for Retry-After given in seconds or as an HTTP-date', () => {
    expect(fromHttpStatus(429, 'slow down', '30', NOW)).toMatchObject({
      kind: 'rate_limited',
      retryAfterMs: 30_000,
      providerStatus: 429,
      message: 'rate limited: slow down',
    });
    expect(fromHttpStatus(429, '', 'Tue, 01 Dec 2026 12:02:00 GMT', NOW).retryAfterMs).toBe(
      120_000,
    );
    expect(fromHttpStatus(429, '', 'Tue, 01 Dec 2026 11:00:00 GMT', NOW).retryAfterMs).toBe(0);
  });

  it('leaves the pause to the back-off when Retry-After is missing or unreadable', () => {
    // A missing header once read as Number(null) = 0: retry at once, hammering the provider.
    expect(fromHttpStatus(429, '', null, NOW).retryAfterMs).toBeUndefined();
    expect(fromHttpStatus(429, '', 'later', NOW).retryAfterMs).toBeUndefined();
  });

  it('honours Retry-After on a 503 but not on a permanent failure', () => {
    expect(fromHttpStatus(503, 'maintenance', '120', NOW)).toMatchObject({
      kind: 'temporary',
      retryAfterMs: 120_000,
    });
    expect(fromHttpStatus(400, 'bad', '120', NOW).retryAfterMs).toBeUndefined();
  });
});

describe('a credential the channel record lacks', () => {
  it('is not_configured, not a permission the provider refused', async () => {
    const o = { baseUrl: 'http://127.0.0.1:9/', version: 'v21.0', appSecret: 's' };
    // Refused before any call: the port is never dialled.
    await expect(graphCall(o, undefined, 'GET', 'me')).rejects.toMatchObject({
      kind: 'not_configured',
      retryable: false,
    });
  });
});

describe('secretForms', () => {
  it('blanks each secret raw, URL-encoded and in base64, and the values built from them', () => {
    const token = 'tok/en+1';
    const basic = `Basic ${Buffer.from(`AC1:${token}`).toString('base64')}`;
    const forms = secretForms([token, undefined, ''], [basic, 'proof-hex']);
    const echoed = [
      token,
      encodeURIComponent(token),
      Buffer.from(token).toString('base64'),
      Buffer.from(token).toString('base64url'),
      basic,
      basic.slice('Basic '.length).replace(/=+$/, ''),
      'proof-hex',
    ];
    const ce = new ConnectorError(
      'auth_revoked',
      `got ${token}`,
      undefined,
      401,
      echoed.join(' '),
      forms,
    );
    expect(ce.summary).toBe('got ***');
    expect(ce.providerText).toBe(Array(echoed.length).fill('***').join(' '));
    expect(ce.message).toBe(`got ***: ${ce.providerText}`);
  });
});

describe('a secret echoed inside a JSON string', () => {
  it('is blanked with its slashes and quotes escaped', () => {
    const token = 'ab/cd"ef\\gh';
    const echoed = JSON.stringify({ error: `bad token ${token}` }).replaceAll('/', '\\/');
    const ce = new ConnectorError(
      'auth_revoked',
      'refused',
      undefined,
      401,
      echoed,
      secretForms([token]),
    );
    expect(ce.providerText).toBe('{"error":"bad token ***"}');
  });
});

describe('a secret that crosses the 300-character cut of a provider text', () => {
  it('leaves no head of it behind, whichever builder cut the text', () => {
    const token = 'ffffffff0123456789abcdef';
    const forms = secretForms([token]);
    const body = `${'x'.repeat(285)} token=${token} rest`;
    const built = [
      fromHttpStatus(401, body, null, NOW, forms),
      fromTwilioError(401, body, null, NOW, forms),
      graphError(401, {}, body, forms),
    ];
    for (const ce of built) {
      expect(ce.message).not.toContain('ffffffff');
      expect(ce.message).toContain('token=***');
    }
  });
});
