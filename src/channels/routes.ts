import type { Kysely } from 'kysely';
import type { Config } from '../config.js';
import type { DB } from '../platform/db/schema.js';
import type { Http } from '../platform/http/server.js';
import type { Sender } from './sender.js';

/** What channel adapters get from the composition root. */
export interface ChannelDeps {
  db: Kysely<DB>;
  config: Config;
  workspaceId: string;
  clock: () => number;
  /** 32-byte key for encrypting channel credentials at rest (AES-256-GCM). */
  secretKey: Buffer;
  /** Wakes the pipeline after inbound events were logged. */
  onAppended: () => void;
}

/**
 * Registers every channel adapter's HTTP routes (webhooks, channel admin). Adapters verify their
 * own signatures and mark their webhook routes `config: { public: true }`.
 */
export function channelRoutes(_app: Http, _deps: ChannelDeps): void {}

/** Senders by channel kind for the outbox (the `api` channel's is added by the app). */
export function channelSenders(_deps: ChannelDeps): Map<string, Sender> {
  return new Map();
}
