import type { ImapFlow } from 'imapflow';
import { ingestDelivery } from '../channel.ingest.js';
import type { Mark, MarkError } from '../channel.marks.js';
import { emptyDelivery, type ParsedDelivery } from '../channel.parsed.js';
import { readState, recordError, recordSuccess, writeCursors } from '../channel.state.js';
import { ConnectorError } from '../connector-error.js';
import type { ChannelDeps } from '../routes.js';
import { countPartSizes } from './email.cut.js';
import { connectImap, fromImapError, type ImapChannel } from './email.imap.js';
import { type ClassifiedMail, classifyMail } from './email.parse.js';
import { knownFailedOutbound, nearestKnownParent, parkMail } from './email.poll.store.js';
import { ownAddressesOf } from './email.records.js';

/** Where the channel's reading of its folder stands (channel_state.cursors_json, key `imap`). */
export interface ImapCursor {
  mailbox: string;
  /** UIDs are only comparable under one UIDVALIDITY (RFC 9051 §2.3.1.1); a bigint as text. */
  uidValidity: string;
  /** Every UID up to this one was taken (ingested, skipped or parked). */
  lastUid: number;
  lastPollAt?: number;
}

export interface EmailPollResult {
  mailbox: string;
  /** True when the folder was read from its start: first poll, another folder, new UIDVALIDITY. */
  rescan: boolean;
  fetched: number;
  accepted: number;
  duplicates: number;
  bounces: number;
  failedMarks: number;
  skipped: { uid: number; reason: string }[];
  parked: { uid: number; reason: string }[];
  lastUid: number;
  error?: string;
}

/** Mails fetched (and made durable) per round trip; the cursor moves after each chunk. */
const CHUNK = 25;
/** Mail bigger than this is read up to it: a cut body, not a poller stuck on 50 MB of video. */
export const MAX_MAIL_BYTES = 8 * 1024 * 1024;

/** Polls of one channel never overlap in one app (timer and "poll now" share the run). */
const running = new WeakMap<ChannelDeps, Map<string, Promise<EmailPollResult | null>>>();

/**
 * Polls now, or joins the poll of this channel already running. With `due`, the background
 * timer's check, the poll is skipped (null) unless the stored state still says it is due when
 * the poll has the channel to itself: a "poll now" that finished while the timer was deciding
 * must not be followed by a second poll.
 */
export function pollEmailChannel(
  deps: ChannelDeps,
  ch: ImapChannel,
  due?: (state: ChannelState) => boolean,
): Promise<EmailPollResult | null> {
  let m = running.get(deps);
  if (!m) {
    m = new Map();
    running.set(deps, m);
  }
  const have = m.get(ch.id);
  if (have) return have;
  const p = pollOnce(deps, ch, due).finally(() => m.delete(ch.id));
  m.set(ch.id, p);
  return p;
}

type ChannelState = Awaited<ReturnType<typeof readState>>;

/**
 * Reads the mails that arrived since the last poll, by UID (RFC 9051 §2.3.1.1), and hands them
 * to the inbound log like a webhook delivery. Order per chunk: fetch → classify → make durable
 * (log, marks, parked rows) → flag \Seen → move the cursor. A crash anywhere before the cursor
 * moved reads the chunk again, and the log's unique (channel, Message-ID) key makes that a no-op:
 * nothing is lost, nothing is taken twice. \Seen is a courtesy to people who open the mailbox;
 * the cursor, not the flag, decides what is new, so a mail someone read first is still taken.
 */
async function pollOnce(
  deps: ChannelDeps,
  ch: ImapChannel,
  due?: (state: ChannelState) => boolean,
): Promise<EmailPollResult | null> {
  const mailbox = ch.config.imap.mailbox ?? 'INBOX';
  const result: EmailPollResult = {
    mailbox,
    rescan: false,
    fetched: 0,
    accepted: 0,
    duplicates: 0,
    bounces: 0,
    failedMarks: 0,
    skipped: [],
    parked: [],
    lastUid: 0,
  };
  const state = await readState(deps.db, ch.id);
  if (due && !due(state)) return null;
  const saved = state.cursors.imap as ImapCursor | undefined;
  let client: ImapFlow | undefined;
  try {
    client = await connectImap(ch);
    const lock = await client.getMailboxLock(mailbox);
    try {
      const box = client.mailbox;
      if (!box) throw new ConnectorError('bad_request', `IMAP mailbox ${mailbox} did not open`);
      const uidValidity = String(box.uidValidity);
      const same = saved?.mailbox === mailbox && saved.uidValidity === uidValidity;
      // Another folder or a rebuilt one: its UIDs mean nothing to us; read it all again and let
      // the Message-ID dedupe what we already took.
      const cursor: ImapCursor = same ? { ...saved } : { mailbox, uidValidity, lastUid: 0 };
      result.rescan = !same;
      result.lastUid = cursor.lastUid;
      const uids = box.exists > 0 ? await newUids(client, cursor.lastUid) : [];
      // Read once per poll, from every record's settings (no credentials): see ownAddressesOf.
      const own = uids.length > 0 ? await ownAddressesOf(deps) : new Set<string>();
      for (let i = 0; i < uids.length; i += CHUNK) {
        await takeChunk(deps, ch, client, uids.slice(i, i + CHUNK), own, result);
        cursor.lastUid = result.lastUid;
        await saveCursor(deps, ch.id, cursor);
      }
      await saveCursor(deps, ch.id, cursor);
    } finally {
      lock.release();
    }
    await recordSuccess(deps.db, deps.workspaceId, ch.id, deps.clock());
  } catch (err) {
    const ce = err instanceof ConnectorError ? err : fromImapError(err, [ch.secrets.imapPassword]);
    await recordError(deps.db, deps.workspaceId, ch.id, ce, deps.clock());
    // The failed poll counts as one: the next waits its interval instead of hammering a server.
    await saveCursor(deps, ch.id);
    result.error = `${ce.kind}: ${ce.message}`;
  } finally {
    await client?.logout().catch(() => client?.close());
  }
  return result;
}

/** UIDs above `after`, ascending, with each mail's size (one FETCH of metadata, no bodies). */
async function newUids(client: ImapFlow, after: number) {
  // "N:*" also matches the highest UID when it is below N (RFC 9051 §6.4.8): filtered out.
  const meta = await client.fetchAll(`${after + 1}:*`, { uid: true, size: true }, { uid: true });
  return meta
    .filter((m) => m.uid > after)
    .map((m) => ({ uid: m.uid, size: m.size ?? 0 }))
    .sort((a, b) => a.uid - b.uid);
}

async function takeChunk(
  deps: ChannelDeps,
  ch: ImapChannel,
  client: ImapFlow,
  chunk: { uid: number; size: number }[],
  own: ReadonlySet<string>,
  result: EmailPollResult,
) {
  const delivery: ParsedDelivery = emptyDelivery();
  /** Our bounced Message-IDs, with what the bounce said about each (the reason reaches the history). */
  const bounced = new Map<string, MarkError | undefined>();
  const taken: number[] = [];
  for (const { uid, size } of chunk) {
    const cut = size > MAX_MAIL_BYTES;
    const fetched = await client.fetchOne(
      String(uid),
      {
        uid: true,
        internalDate: true,
        source: cut ? { start: 0, maxLength: MAX_MAIL_BYTES } : true,
        ...(cut ? { bodyStructure: true } : {}),
      },
      { uid: true },
    );
    result.fetched++;
    taken.push(uid);
    result.lastUid = Math.max(result.lastUid, uid);
    // Expunged between the listing and now: nothing to take.
    if (fetched === false || !fetched.source) continue;
    const internalDate = fetched.internalDate instanceof Date ? fetched.internalDate : undefined;
    let c: ClassifiedMail;
    try {
      // A cut mail's attachments: their true sizes, counted from the server (email.cut.ts).
      const cutParts =
        cut && fetched.bodyStructure
          ? await countPartSizes(client, uid, fetched.bodyStructure).catch(() => undefined)
          : undefined;
      c = await classifyMail(fetched.source, {
        channelId: ch.id,
        ownAddresses: own,
        internalDate,
        ...(cutParts ? { cutParts } : {}),
      });
    } catch (err) {
      // Whatever one mail does to the parser, the mailbox goes on.
      c = {
        kind: 'bad',
        reason: `could not read: ${(err as Error).message}`,
        externalId: `<imap-${uid}@throughline.invalid>`,
      };
    }
    if (c.kind === 'message') {
      const inReplyTo = await nearestKnownParent(deps, c.parents, delivery);
      if (inReplyTo) c.message.inReplyTo = inReplyTo;
      delivery.messages.push({ message: c.message });
    } else if (c.kind === 'bounce') {
      result.bounces++;
      for (const id of c.failed) bounced.set(id, c.error ?? bounced.get(id));
    } else if (c.kind === 'skip') {
      result.skipped.push({ uid, reason: c.reason });
    } else {
      await parkMail(deps, ch.id, c.externalId, uid, c.reason);
      result.parked.push({ uid, reason: c.reason });
    }
  }
  const failed = await knownFailedOutbound(deps, [...bounced.keys()]);
  delivery.marks = failed.map((externalId): Mark => {
    const error = bounced.get(externalId);
    return {
      channel: 'email',
      externalId,
      kind: 'failed',
      at: deps.clock(),
      ...(error ? { error } : {}),
    };
  });
  result.failedMarks += failed.length;
  const summary = await ingestDelivery(deps, ch.id, delivery);
  result.accepted += summary.accepted;
  result.duplicates += summary.duplicates;
  // After the mails are durable; a failure to flag must not make us take them again.
  if (taken.length) {
    await client.messageFlagsAdd(taken.join(','), ['\\Seen'], { uid: true }).catch(() => false);
  }
}

/** Stores the cursor with the poll's time; without one, only the time (chunks taken stay taken). */
async function saveCursor(deps: ChannelDeps, channelId: string, cursor?: ImapCursor) {
  const latest = (await readState(deps.db, channelId)).cursors;
  const imap = cursor ?? (latest.imap as ImapCursor | undefined) ?? {};
  await writeCursors(
    deps.db,
    deps.workspaceId,
    channelId,
    { ...latest, imap: { ...imap, lastPollAt: deps.clock() } },
    deps.clock(),
  );
}
