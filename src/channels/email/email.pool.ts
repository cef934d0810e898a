import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { ChannelRecord } from '../channel.types.js';
import type { EmailSecrets, SmtpConfig } from './email.types.js';

/** A record whose SMTP side is configured (the only ones the pool is given). */
export type SmtpChannel = ChannelRecord<SmtpConfig, EmailSecrets>;

export type Mailer = ReturnType<typeof nodemailer.createTransport>;

function options(ch: SmtpChannel) {
  const { host, port, secure, username } = ch.config;
  return {
    host,
    port,
    secure: secure ?? false,
    auth: username ? { user: username, pass: ch.secrets.password ?? '' } : undefined,
    // Fail fast: the outbox retries with back-off, a stuck socket would hold its lease.
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    // No credentials or message bodies in logs.
    logger: false,
    debug: false,
  };
}

/** A one-off connection (the connection test). */
export function singleTransport(ch: SmtpChannel): Mailer {
  return nodemailer.createTransport(options(ch));
}

/** Idle pooled connections are closed after this long, so nothing lingers after a burst. */
const IDLE_MS = 5_000;

/**
 * Pooled SMTP connections per channel, kept while mail flows: a fix that notifies thousands of
 * customers by email then pays the TCP/TLS/AUTH handshake once per connection instead of once
 * per message. A channel whose settings or credentials change gets a new pool; a failed send
 * drops the pool so the retry starts from a fresh connection. One per app (no module state).
 */
export class MailerPool {
  private readonly pools = new Map<
    string,
    { fingerprint: string; mailer: Mailer; timer?: NodeJS.Timeout }
  >();

  get(ch: SmtpChannel): Mailer {
    const fingerprint = createHash('sha256')
      .update(JSON.stringify([ch.config, ch.secrets]))
      .digest('hex');
    const have = this.pools.get(ch.id);
    if (have && have.fingerprint === fingerprint) {
      if (have.timer) clearTimeout(have.timer);
      have.timer = undefined;
      return have.mailer;
    }
    if (have) this.drop(ch.id);
    const mailer = nodemailer.createTransport({
      ...options(ch),
      pool: true,
      maxConnections: 2,
      maxMessages: 100,
    });
    this.pools.set(ch.id, { fingerprint, mailer });
    return mailer;
  }

  /** The send finished: close the pool unless another send comes within IDLE_MS. */
  idle(channelId: string): void {
    const p = this.pools.get(channelId);
    if (!p) return;
    if (p.timer) clearTimeout(p.timer);
    p.timer = setTimeout(() => this.drop(channelId), IDLE_MS);
    // Never keeps the process alive on its own.
    p.timer.unref();
  }

  drop(channelId: string): void {
    const p = this.pools.get(channelId);
    if (!p) return;
    if (p.timer) clearTimeout(p.timer);
    this.pools.delete(channelId);
    p.mailer.close();
  }
}
