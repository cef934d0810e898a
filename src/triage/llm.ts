/**
 * Optional LLM provider: any OpenAI-compatible endpoint (`/v1/chat/completions`,
 * `/v1/embeddings`), configured by base URL and key. Off by default and never required: triage
 * works without it, and callers must treat every error below as "fall back to the offline model".
 *
 * Errors are normalised into one taxonomy so callers never look at a vendor's status codes:
 * timeout, network, auth, rate_limited (with retryAfterMs), bad_request, server, bad_response,
 * and paused: the client did not call a provider it is giving a rest (below).
 *
 * A provider that is down or slow must not cost every unsure classification the whole timeout,
 * and one that asked us to wait must be left alone: after a 429 the client calls it again only
 * once its Retry-After has passed (at most 10 minutes; a 429 without one counts as a failure),
 * and after `failures` temporary failures in a row (timeouts, network errors, 5xx) it rests for
 * `coolDownMs`, then lets one call through: a success closes the breaker, a failure rests again.
 */

import { retryAfterMs } from '../channels/retry-after.js';

export type LlmErrorKind =
  | 'timeout'
  | 'network'
  | 'auth'
  | 'rate_limited'
  | 'bad_request'
  | 'server'
  | 'bad_response'
  | 'paused';

export class LlmError extends Error {
  constructor(
    readonly kind: LlmErrorKind,
    message: string,
    readonly status?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'LlmError';
  }

  /** Whether retrying later may succeed. */
  get temporary(): boolean {
    return (
      this.kind === 'timeout' ||
      this.kind === 'network' ||
      this.kind === 'rate_limited' ||
      this.kind === 'server' ||
      this.kind === 'paused'
    );
  }
}

export interface LlmConfig {
  /** e.g. "https://api.example.com" or "http://127.0.0.1:8080"; "/v1/..." is appended. */
  baseUrl: string;
  apiKey?: string;
  chatModel: string;
  embeddingModel?: string;
  /** Per request; defaults to 10 s. */
  timeoutMs?: number;
  /** The circuit breaker: defaults 3 failures in a row, 60 s of rest, Retry-After up to 10 min. */
  breaker?: { failures?: number; coolDownMs?: number; maxRetryAfterMs?: number };
  /** Test seam for the breaker's clock. */
  clock?: () => number;
  /**
   * Told of every failed call to the provider (not of calls skipped while it rests), so an
   * admin can see in the log why triage fell back. Carries no text, key or provider body: the
   * answer's body may echo the (masked) customer text.
   */
  onFailure?: (failure: LlmFailure) => void;
}

/** What the log is told of one failed provider call. */
export interface LlmFailure {
  path: string;
  kind: LlmErrorKind;
  status?: number;
  /** Set when this failure made the client rest the provider (breaker open or Retry-After). */
  restingUntil?: string;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export class LlmClient {
  private readonly base: string;
  private readonly clock: () => number;
  /** Consecutive temporary failures; the provider rests until `restUntil` (epoch ms). */
  private failures = 0;
  private restUntil = 0;

  constructor(private readonly config: LlmConfig) {
    this.base = config.baseUrl.replace(/\/+$/, '').replace(/\/v1$/, '');
    this.clock = config.clock ?? Date.now;
  }

  /** One chat completion; returns the first choice's text. */
  async chat(messages: ChatMessage[], options: { temperature?: number; maxTokens?: number } = {}) {
    const body = await this.post('/v1/chat/completions', {
      model: this.config.chatModel,
      messages,
      temperature: options.temperature ?? 0,
      ...(options.maxTokens ? { max_tokens: options.maxTokens } : {}),
    });
    const content = (body as { choices?: { message?: { content?: unknown } }[] }).choices?.[0]
      ?.message?.content;
    if (typeof content !== 'string')
      throw new LlmError('bad_response', 'no choices[0].message.content');
    return content;
  }

  /** Embeddings for several texts, in input order. */
  async embed(texts: string[]): Promise<number[][]> {
    if (!this.config.embeddingModel)
      throw new LlmError('bad_request', 'no embedding model configured');
    const body = (await this.post('/v1/embeddings', {
      model: this.config.embeddingModel,
      input: texts,
    })) as { data?: { index?: number; embedding?: unknown }[] };
    if (!Array.isArray(body.data) || body.data.length !== texts.length) {
      throw new LlmError('bad_response', 'embeddings: data length differs from input');
    }
    const out: number[][] = new Array(texts.length);
    body.data.forEach((d, i) => {
      if (!Array.isArray(d.embedding))
        throw new LlmError('bad_response', 'embeddings: missing vector');
      out[typeof d.index === 'number' ? d.index : i] = d.embedding as number[];
    });
    return out;
  }

  private async post(path: string, payload: unknown): Promise<unknown> {
    const now = this.clock();
    if (now < this.restUntil) {
      throw new LlmError(
        'paused',
        `${path}: provider resting until ${new Date(this.restUntil).toISOString()}`,
      );
    }
    try {
      const body = await this.send(path, payload);
      this.failures = 0;
      return body;
    } catch (e) {
      if (e instanceof LlmError) {
        const restedBefore = this.restUntil;
        this.after(e);
        this.config.onFailure?.({
          path,
          kind: e.kind,
          ...(e.status !== undefined ? { status: e.status } : {}),
          ...(this.restUntil !== restedBefore
            ? { restingUntil: new Date(this.restUntil).toISOString() }
            : {}),
        });
      }
      throw e;
    }
  }

  /** The breaker's view of a failed call (see the file's comment). */
  private after(e: LlmError) {
    const b = this.config.breaker ?? {};
    const now = this.clock();
    if (e.kind === 'rate_limited' && e.retryAfterMs !== undefined) {
      this.restUntil = now + Math.min(Math.max(e.retryAfterMs, 0), b.maxRetryAfterMs ?? 600_000);
      return;
    }
    // Answers that say nothing about the provider's health (a refused key, a bad request or
    // answer) come back at once: they cost no waiting and end a run of failures.
    if (!e.temporary) {
      this.failures = 0;
      return;
    }
    this.failures++;
    if (this.failures >= (b.failures ?? 3)) this.restUntil = now + (b.coolDownMs ?? 60_000);
  }

  private async send(path: string, payload: unknown): Promise<unknown> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.config.apiKey) headers.authorization = `Bearer ${this.config.apiKey}`;
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method: 'POST',
        headers,
        body: JSON.stringify(payload),
        // Not to another address than the one configured: a redirect would carry the customer's
        // text (masked, but still theirs) to a host the admin never chose.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.config.timeoutMs ?? 10_000),
      });
    } catch (e) {
      const err = e as Error;
      if (err.name === 'TimeoutError' || err.name === 'AbortError') {
        throw new LlmError(
          'timeout',
          `${path}: no answer within ${this.config.timeoutMs ?? 10_000} ms`,
        );
      }
      throw new LlmError('network', `${path}: ${err.message}`);
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      const err = e as Error;
      const kind = err.name === 'TimeoutError' || err.name === 'AbortError' ? 'timeout' : 'network';
      throw new LlmError(kind, `${path}: reading body: ${err.message}`, res.status);
    }
    if (!res.ok) throw statusError(path, res.status, res.headers.get('retry-after'), text);
    try {
      return JSON.parse(text);
    } catch {
      throw new LlmError('bad_response', `${path}: body is not JSON`, res.status);
    }
  }
}

function statusError(path: string, status: number, retryAfter: string | null, body: string) {
  if (status >= 300 && status < 400)
    return new LlmError(
      'bad_request',
      `${path}: HTTP ${status}, a redirect (not followed)`,
      status,
    );
  const detail = `${path}: HTTP ${status} ${body.slice(0, 200)}`;
  if (status === 401 || status === 403) return new LlmError('auth', detail, status);
  if (status === 429)
    return new LlmError('rate_limited', detail, status, retryAfterMs(retryAfter, Date.now()));
  if (status >= 500) return new LlmError('server', detail, status);
  return new LlmError('bad_request', detail, status);
}
