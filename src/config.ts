import { existsSync, readFileSync } from 'node:fs';

/**
 * One typed, validated configuration. Values come from the environment, optionally from a JSON
 * file named by THROUGHLINE_CONFIG (environment wins). `loadConfig` collects every problem and
 * throws them together so an operator fixes a bad config in one pass, not one error at a time.
 */
export interface Config {
  port: number;
  host: string;
  /** `sqlite:<path>` (default `sqlite:./data/throughline.db`), `sqlite::memory:` or `postgres://…` */
  databaseUrl: string;
  /** Public base URL used in links we print or send. */
  publicUrl: string;
  /** Load the simulated demo workspace into an empty database on first start. */
  demo: boolean;
  /** Secret used to sign outbound webhooks of the generic API channel (HMAC-SHA256). */
  webhookSecret: string;
  /** Where replies on the `api` channel are delivered (POST, signed). Empty = kept queued. */
  apiOutboundUrl: string;
  /** Where replies to web-chat visitors are POSTed (signed) for the chat backend to deliver. */
  webchatOutboundUrl: string;
  /** A customer message joins their open case if it came within this many minutes of its last message. */
  threadWindowMinutes: number;
  /** A resolved case is reopened (not replaced) when the customer returns within this many hours. */
  reopenWindowHours: number;
  pipeline: { batchSize: number; maxAttempts: number; workers: boolean; stallSeconds: number };
  /** Outbox deliveries: retried for `retryHours` after queueing, at most `maxBackoffMinutes` apart. */
  outbox: { retryHours: number; maxBackoffMinutes: number };
  /** Days after which closed cases' personal data is erased (`src/privacy/retention.ts`); 0 = off. */
  retentionDays: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Log message bodies (off by default: customer text is personal data). */
  logBodies: boolean;
  /**
   * Key (32 bytes, base64 or hex) that encrypts channel credentials at rest. When unset, `serve`
   * creates one in `<data dir>/secret.key` on first start and reuses it.
   */
  secretKey: string;
  /** SQLite `synchronous` pragma: FULL survives power loss; NORMAL survives process crashes. */
  sqliteSynchronous: 'FULL' | 'NORMAL';
  /**
   * Optional OpenAI-compatible LLM (THROUGHLINE_LLM_URL, _KEY, _MODEL, _TIMEOUT_MS, _EMBEDDING_MODEL): assists triage
   * when the offline model is unsure and drafts suggested replies. Off (null) by default; never
   * required: every failure falls back to the offline result.
   */
  llm: {
    url: string;
    apiKey: string;
    model: string;
    timeoutMs: number;
    /** THROUGHLINE_LLM_EMBEDDING_MODEL: an unsure topic may go to the nearest example (embed-topic.ts). */
    embeddingModel?: string;
  } | null;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function loadConfig(env: Env = process.env, overrides: Partial<Config> = {}): Config {
  const problems: string[] = [];
  const file = readFileConfig(env.THROUGHLINE_CONFIG, problems);
  const get = (key: string): string | undefined => env[key] ?? stringOrUndefined(file[key]);

  const int = (key: string, def: number, min: number, max: number): number => {
    const raw = get(key);
    if (raw === undefined || raw === '') return def;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${key} must be an integer between ${min} and ${max} (got "${raw}")`);
      return def;
    }
    return n;
  };
  const bool = (key: string, def: boolean): boolean => {
    const raw = get(key);
    if (raw === undefined || raw === '') return def;
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    problems.push(`${key} must be true or false (got "${raw}")`);
    return def;
  };

  const port = int('PORT', 8080, 0, 65535);
  const host = get('HOST') ?? '0.0.0.0';
  const databaseUrl = get('THROUGHLINE_DATABASE_URL') ?? 'sqlite:./data/throughline.db';
  if (!/^sqlite:.+/.test(databaseUrl) && !/^postgres(ql)?:\/\/.+/.test(databaseUrl)) {
    problems.push(
      `THROUGHLINE_DATABASE_URL must be sqlite:<path> or postgres://… (got "${redactUrl(databaseUrl)}")`,
    );
  }
  const webhookSecret = get('THROUGHLINE_WEBHOOK_SECRET') ?? '';
  if (webhookSecret !== '' && webhookSecret.length < 16) {
    problems.push('THROUGHLINE_WEBHOOK_SECRET must be at least 16 characters');
  }
  const apiOutboundUrl = get('THROUGHLINE_API_OUTBOUND_URL') ?? '';
  if (apiOutboundUrl !== '' && !isHttpUrl(apiOutboundUrl)) {
    problems.push('THROUGHLINE_API_OUTBOUND_URL must be an http(s) URL');
  }
  if (apiOutboundUrl !== '' && webhookSecret === '') {
    problems.push(
      'THROUGHLINE_API_OUTBOUND_URL needs THROUGHLINE_WEBHOOK_SECRET to sign deliveries',
    );
  }
  const webchatOutboundUrl = get('THROUGHLINE_WEBCHAT_OUTBOUND_URL') ?? '';
  if (webchatOutboundUrl !== '' && !isHttpUrl(webchatOutboundUrl)) {
    problems.push('THROUGHLINE_WEBCHAT_OUTBOUND_URL must be an http(s) URL');
  }
  if (webchatOutboundUrl !== '' && webhookSecret === '') {
    problems.push(
      'THROUGHLINE_WEBCHAT_OUTBOUND_URL needs THROUGHLINE_WEBHOOK_SECRET to sign deliveries',
    );
  }
  const logLevel = (get('LOG_LEVEL') ?? 'info') as Config['logLevel'];
  if (!LOG_LEVELS.includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${logLevel}")`);
  }
  const sync = (get('THROUGHLINE_SQLITE_SYNCHRONOUS') ?? 'FULL').toUpperCase();
  if (sync !== 'FULL' && sync !== 'NORMAL') {
    problems.push('THROUGHLINE_SQLITE_SYNCHRONOUS must be FULL or NORMAL');
  }
  const secretKey = get('THROUGHLINE_SECRET_KEY') ?? '';
  if (secretKey !== '' && decodeKey(secretKey) === null) {
    problems.push('THROUGHLINE_SECRET_KEY must be 32 bytes, as 64 hex characters or base64');
  }
  const llmUrl = get('THROUGHLINE_LLM_URL') ?? '';
  const llmModel = get('THROUGHLINE_LLM_MODEL') ?? '';
  if (llmUrl !== '' && !isHttpUrl(llmUrl)) {
    problems.push('THROUGHLINE_LLM_URL must be an http(s) URL');
  }
  if (llmUrl !== '' && llmModel === '') {
    problems.push('THROUGHLINE_LLM_URL needs THROUGHLINE_LLM_MODEL (the chat model name)');
  }
  const llmTimeoutMs = int('THROUGHLINE_LLM_TIMEOUT_MS', 8000, 100, 120_000);
  const publicUrl = get('THROUGHLINE_PUBLIC_URL') ?? `http://localhost:${port}`;
  if (!isHttpUrl(publicUrl)) problems.push('THROUGHLINE_PUBLIC_URL must be an http(s) URL');

  const config: Config = {
    port,
    host,
    databaseUrl,
    publicUrl,
    demo: bool('THROUGHLINE_DEMO', true),
    webhookSecret,
    apiOutboundUrl,
    webchatOutboundUrl,
    threadWindowMinutes: int('THROUGHLINE_THREAD_WINDOW_MINUTES', 24 * 60, 0, 525_600),
    reopenWindowHours: int('THROUGHLINE_REOPEN_WINDOW_HOURS', 7 * 24, 0, 87_600),
    retentionDays: int('THROUGHLINE_RETENTION_DAYS', 0, 0, 36_500),
    pipeline: {
      batchSize: int('THROUGHLINE_PIPELINE_BATCH', 500, 1, 5000),
      maxAttempts: int('THROUGHLINE_PIPELINE_MAX_ATTEMPTS', 5, 1, 100),
      workers: bool('THROUGHLINE_PIPELINE_WORKERS', true),
      stallSeconds: int('THROUGHLINE_PIPELINE_STALL_SECONDS', 120, 1, 86_400),
    },
    outbox: {
      retryHours: int('THROUGHLINE_OUTBOX_RETRY_HOURS', 24, 1, 168),
      maxBackoffMinutes: int('THROUGHLINE_OUTBOX_MAX_BACKOFF_MINUTES', 15, 1, 60),
    },
    logLevel,
    logBodies: bool('THROUGHLINE_LOG_BODIES', false),
    sqliteSynchronous: sync as Config['sqliteSynchronous'],
    secretKey,
    llm:
      llmUrl === ''
        ? null
        : {
            url: llmUrl,
            apiKey: get('THROUGHLINE_LLM_KEY') ?? '',
            model: llmModel,
            timeoutMs: llmTimeoutMs,
            ...(get('THROUGHLINE_LLM_EMBEDDING_MODEL')
              ? { embeddingModel: get('THROUGHLINE_LLM_EMBEDDING_MODEL') }
              : {}),
          },
    ...overrides,
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

function readFileConfig(path: string | undefined, problems: string[]): Record<string, unknown> {
  if (!path) return {};
  if (!existsSync(path)) {
    problems.push(`THROUGHLINE_CONFIG names a file that does not exist: ${path}`);
    return {};
  }
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return parsed as Record<string, unknown>;
    }
    problems.push(`${path} must hold a JSON object of setting names to values`);
  } catch (err) {
    problems.push(`${path} is not valid JSON: ${(err as Error).message}`);
  }
  return {};
}

function stringOrUndefined(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : String(v);
}

/**
 * Whether the desk is served over https, so its cookies must be `Secure`. The scheme is read as
 * a URL reads it: `HTTPS://desk.example` passes validation (URL lowercases it), and a text
 * comparison left its cookies without `Secure`.
 */
export function servedOverHttps(publicUrl: string): boolean {
  try {
    return new URL(publicUrl).protocol === 'https:';
  } catch {
    return false;
  }
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Hide the secrets of a database URL before it is printed: the password of its user-info (up to
 * the last `@`, so a password holding `@` or `/` is hidden whole; an `@` further on only hides
 * more) and the value of any query parameter named like a secret (`?password=…`, `sslpassword`,
 * `sslkey`, …: the PostgreSQL driver reads them).
 */
export function redactUrl(url: string): string {
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*:).*@/i, '$1***@')
    .replace(/([?&][^=&#]*(?:pass|secret|token|key|auth)[^=&#]*=)[^&#]*/gi, '$1***');
}

/** Decodes a 32-byte key from hex or base64; null when it is not one. */
export function decodeKey(s: string): Buffer | null {
  const buf = /^[0-9a-f]{64}$/i.test(s) ? Buffer.from(s, 'hex') : Buffer.from(s, 'base64');
  return buf.length === 32 ? buf : null;
}
