import type { TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Kysely, Selectable } from 'kysely';
import type { ChannelTable, DB } from '../platform/db/schema.js';
import { AppError } from '../platform/errors.js';
import { newId } from '../platform/ids.js';
import { decryptSecrets, encryptSecrets } from './channel.crypto.js';
import {
  type ChannelRecord,
  MetaConfigSchema,
  MetaSecretsSchema,
  RECORD_KINDS,
  type RecordKind,
  XConfigSchema,
  XSecretsSchema,
} from './channel.types.js';
import {
  type EmailConfig,
  EmailConfigSchema,
  type EmailSecrets,
  EmailSecretsSchema,
  emailConfigProblem,
} from './email/email.types.js';
import { SmsConfigSchema, SmsSecretsSchema } from './sms/sms.types.js';

const SCHEMAS: Record<RecordKind, { config: TSchema; secrets: TSchema }> = {
  x: { config: XConfigSchema, secrets: XSecretsSchema },
  meta: { config: MetaConfigSchema, secrets: MetaSecretsSchema },
  email: { config: EmailConfigSchema, secrets: EmailSecretsSchema },
  sms: { config: SmsConfigSchema, secrets: SmsSecretsSchema },
};

function check(schema: TSchema, value: unknown, what: string) {
  if (Value.Check(schema, value)) return;
  const problems = [...Value.Errors(schema, value)]
    .slice(0, 5)
    // Never echo a secret's value back: paths and messages only.
    .map((e) => `${what}${e.path || ''} ${e.message}`);
  throw new AppError('bad_request', problems.join('; '), problems);
}

export interface NewChannel {
  kind: string;
  name: string;
  config?: Record<string, unknown>;
  /** Left out: none (an SMTP server without authentication); each kind's schema says which it needs. */
  secrets?: Record<string, unknown>;
}

/** Validates and stores a channel; credentials are encrypted before they touch the database. */
export async function createChannel(
  db: Kysely<DB>,
  key: Buffer,
  workspaceId: string,
  input: NewChannel,
  now: number,
): Promise<ChannelRecord> {
  if (!RECORD_KINDS.includes(input.kind as RecordKind)) {
    throw new AppError('bad_request', `kind must be one of ${RECORD_KINDS.join(', ')}`);
  }
  const kind = input.kind as RecordKind;
  const name = input.name.trim();
  if (!name) throw new AppError('bad_request', 'name is empty');
  const config = input.config ?? {};
  check(SCHEMAS[kind].config, config, '/config');
  // Rules across fields the schemas cannot express (an email record's SMTP and IMAP sides).
  const secretsIn = input.secrets ?? {};
  const problem =
    kind === 'email'
      ? emailConfigProblem(config as EmailConfig, secretsIn as EmailSecrets)
      : undefined;
  if (problem) throw new AppError('bad_request', problem, [problem]);
  check(SCHEMAS[kind].secrets, secretsIn, '/secrets');
  const id = newId();
  const secrets = secretsIn as Record<string, string>;
  await db
    .insertInto('channels')
    .values({
      id,
      workspace_id: workspaceId,
      kind,
      name,
      config_json: JSON.stringify(config),
      secrets_enc: encryptSecrets(key, id, secrets),
      created_at: now,
      disabled_at: null,
    })
    .execute();
  return { id, workspaceId, kind, name, config, secrets, createdAt: now, disabledAt: null };
}

function fromRow(key: Buffer, row: Selectable<ChannelTable>): ChannelRecord {
  let secrets: Record<string, string> = {};
  if (row.secrets_enc) {
    try {
      secrets = decryptSecrets(key, row.id, row.secrets_enc);
    } catch {
      // A changed THROUGHLINE_SECRET_KEY: the channel reads as unconfigured rather than crashing.
      throw new AppError(
        'unavailable',
        `the credentials of channel ${row.id} cannot be decrypted with the current secret key; re-enter them`,
      );
    }
  }
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    kind: row.kind as RecordKind,
    name: row.name,
    config: JSON.parse(row.config_json) as Record<string, unknown>,
    secrets,
    createdAt: Number(row.created_at),
    disabledAt: row.disabled_at === null ? null : Number(row.disabled_at),
  };
}

/** The parts of a row a record is made from: a row equal in these makes the same record. */
const SAME_RECORD = ['secrets_enc', 'config_json', 'name', 'kind', 'disabled_at'] as const;

/**
 * Records already decrypted, each kept with the row it came from, for code that reads the same
 * channels over and over (the e-mail poll timer, every second). A row is decrypted again only
 * when it differs from the one kept: credentials are re-encrypted under a fresh random nonce on
 * every write (channel.crypto.ts), so a change of them, by this node, another one or by hand,
 * always changes the stored text, and no version column is needed. `keepOnly` drops records
 * no longer read (disabled, deleted), so their secrets do not stay in memory.
 */
export class ChannelCache {
  private readonly held = new Map<
    string,
    { row: Selectable<ChannelTable>; record: ChannelRecord }
  >();

  constructor(private readonly key: Buffer) {}

  record<C, S>(row: Selectable<ChannelTable>): ChannelRecord<C, S> {
    const have = this.held.get(row.id);
    if (!have || SAME_RECORD.some((k) => have.row[k] !== row[k])) {
      this.held.set(row.id, { row, record: fromRow(this.key, row) });
    }
    return this.held.get(row.id)!.record as unknown as ChannelRecord<C, S>;
  }

  /** Forgets every record but these (disabled or deleted ones): their secrets leave memory. */
  keepOnly(ids: Iterable<string>): void {
    const keep = new Set(ids);
    for (const id of this.held.keys()) if (!keep.has(id)) this.held.delete(id);
  }
}

/** One channel with decrypted credentials, or null when unknown (or of another kind). */
export async function loadChannel<C, S>(
  db: Kysely<DB>,
  key: Buffer,
  workspaceId: string,
  id: string,
  kind?: RecordKind,
): Promise<ChannelRecord<C, S> | null> {
  const row = await db
    .selectFrom('channels')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row || (kind && row.kind !== kind)) return null;
  return fromRow(key, row) as unknown as ChannelRecord<C, S>;
}

/** Channel rows without credentials (for listings). */
export async function listChannelRows(db: Kysely<DB>, workspaceId: string) {
  return db
    .selectFrom('channels')
    .select(['id', 'kind', 'name', 'config_json', 'created_at', 'disabled_at'])
    .where('workspace_id', '=', workspaceId)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
}

/**
 * The workspace's enabled records of a kind with their stored state (health, cursors), in one
 * query and without their credentials decrypted: timers that run every few seconds read these,
 * work out which records are due and decrypt only those (`ChannelCache`).
 */
export async function rowsWithState(db: Kysely<DB>, workspaceId: string, kind: RecordKind) {
  return db
    .selectFrom('channels')
    .leftJoin('channel_state', 'channel_state.channel_id', 'channels.id')
    .selectAll('channels')
    .select(['channel_state.health as stateHealth', 'channel_state.cursors_json as stateCursors'])
    .where('channels.workspace_id', '=', workspaceId)
    .where('channels.kind', '=', kind)
    .where('channels.disabled_at', 'is', null)
    .orderBy('channels.created_at')
    .orderBy('channels.id')
    .execute();
}

/** Every enabled channel of a kind, decrypted (pollers). */
export async function loadChannelsOfKind<C, S>(
  db: Kysely<DB>,
  key: Buffer,
  workspaceId: string,
  kind: RecordKind,
  /** At most this many, oldest first. */
  limit?: number,
): Promise<ChannelRecord<C, S>[]> {
  const rows = await db
    .selectFrom('channels')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('kind', '=', kind)
    .where('disabled_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .$if(limit !== undefined, (q) => q.limit(limit!))
    .execute();
  return rows.map((r) => fromRow(key, r) as unknown as ChannelRecord<C, S>);
}
