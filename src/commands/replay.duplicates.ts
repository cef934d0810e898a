import type { Kysely } from 'kysely';
import type { AppendResult } from '../ingest/inbound.log.js';
import { scrubInbound } from '../ingest/inbound.nul.js';
import type { InboundMessage } from '../ingest/inbound.schema.js';
import type { DB } from '../platform/db/schema.js';

/**
 * Duplicates (a channel and external id the inbound log already holds, from this file or before)
 * whose content differs from the message kept. The first stays (messages are immutable, and a
 * re-delivery is acknowledged and stored once), but one that says something else is the sender's
 * mistake, or two messages under one id: counted and named, where it was a silent "duplicate".
 */
export class DifferingDuplicates {
  count = 0;
  /** The first few, with their line and id (`sms odd-01`). */
  readonly named: { line: number; key: string }[] = [];

  constructor(
    private readonly db: Kysely<DB>,
    private readonly ws: string,
    private readonly lineOf: (m: InboundMessage) => number | undefined,
    private readonly max = 5,
  ) {}

  /** After each append: compares the batch's duplicates with what the log kept for their keys. */
  async check(batch: InboundMessage[], res: AppendResult): Promise<void> {
    const dups = batch.filter((_, i) => res.results[i]?.status === 'duplicate');
    if (dups.length === 0) return;
    const kept = new Map<string, string>();
    const byChannel = new Map<string, string[]>();
    for (const m of dups)
      byChannel.set(m.channel, [...(byChannel.get(m.channel) ?? []), m.externalId]);
    for (const [channel, ids] of byChannel) {
      const rows = await this.db
        .selectFrom('inbound_events')
        .select(['external_id', 'payload_json'])
        .where('workspace_id', '=', this.ws)
        .where('channel', '=', channel)
        .where('external_id', 'in', [...new Set(ids)])
        .execute();
      for (const r of rows) kept.set(`${channel}\u0000${r.external_id}`, r.payload_json);
    }
    for (const m of dups) {
      const stored = kept.get(`${m.channel}\u0000${m.externalId}`);
      if (stored === undefined) continue;
      if (content(scrubInbound(m)) === content(JSON.parse(stored) as InboundMessage)) continue;
      this.count++;
      const line = this.lineOf(m);
      if (this.named.length < this.max && line !== undefined)
        this.named.push({ line, key: `${m.channel} ${m.externalId}` });
    }
  }

  /** The warning for stderr, or null when every duplicate said what the message kept said. */
  warning(): string | null {
    if (this.count === 0) return null;
    const lines = this.named.map((n) => `line ${n.line} (${n.key})`).join(', ');
    const more = this.count > this.named.length ? ', …' : '';
    return `${this.count} duplicate${this.count === 1 ? '' : 's'} with different content (the message first stored under its id is kept): ${lines}${more}`;
  }
}

/**
 * What a message says, for telling a re-delivery from a different message under the same id:
 * who, when, which way and what (text, subject, attachments, the message it answers). Profile
 * details (followers, location) and `raw` are left out: a re-delivered tweet comes with fresh
 * counts, and it is still the same message.
 */
function content(m: InboundMessage): string {
  return JSON.stringify([
    m.author?.id,
    Date.parse(m.sentAt),
    m.direction ?? 'in',
    m.text,
    m.subject ?? null,
    m.inReplyTo ?? null,
    m.attachments ?? null,
  ]);
}
