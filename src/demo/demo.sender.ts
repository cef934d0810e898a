import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { ConnectorError } from '../channels/connector-error.js';
import { refuseNoSender } from '../channels/no-sender.js';
import type { Sender } from '../channels/sender.js';
import type { DB } from '../platform/db/schema.js';

/** Channels the demo's simulated customers write on (a call cannot be answered in writing). */
const DEMO_CHANNELS = ['x', 'facebook', 'instagram', 'whatsapp', 'email', 'sms', 'webchat', 'api'];

/**
 * How the demo's messages are labelled: the simulator gives every message it makes the external
 * id `sim-<scenario>-<seed>-<n>` (simulate.ts `runPrefix`), and the demo is its `demo` scenario.
 */
export const DEMO_MESSAGE_PREFIX = 'sim-demo-';

/**
 * Whether the customer of case `caseId` is one of the demo's simulated customers: one who wrote
 * a message the demo made. People who write to the demo desk for real are not.
 */
export async function isDemoCustomer(db: Kysely<DB>, caseId: string): Promise<boolean> {
  const hit = await db
    .selectFrom('messages as m')
    .innerJoin('cases as c', 'c.id', 'm.case_id')
    .innerJoin('cases as mine', 'mine.customer_id', 'c.customer_id')
    .select('m.id')
    .where('mine.id', '=', caseId)
    .where('m.direction', '=', 'in')
    .where('m.external_id', 'like', `${DEMO_MESSAGE_PREFIX}%`)
    .limit(1)
    .executeTakeFirst();
  return !!hit;
}

/** Whether the workspace holds the demo, read now through `db` (a transaction, say). */
async function demoWorkspace(db: Kysely<DB>, workspaceId: string): Promise<boolean> {
  const row = await db
    .selectFrom('workspaces')
    .select('is_demo')
    .where('id', '=', workspaceId)
    .executeTakeFirst();
  return Number(row?.is_demo ?? 0) === 1;
}

/** How long a node trusts its last reading of "not a demo" (once a demo, always a demo). */
const DEMO_FLAG_TTL_MS = 5_000;

/**
 * Whether the workspace holds the demo, as stored: the flag is set by whichever node loaded the
 * demo, so every node reads it here rather than from its own start. "Yes" is kept for good (a
 * desk never stops being the demo); "no" is read again after `ttlMs`, or at once when `fresh`.
 */
export function demoFlag(db: Kysely<DB>, workspaceId: string, ttlMs = DEMO_FLAG_TTL_MS) {
  let known = false;
  let readAt = Number.NEGATIVE_INFINITY;
  return async (fresh = false): Promise<boolean> => {
    if (known) return true;
    if (!fresh && Date.now() - readAt < ttlMs) return false;
    known = await demoWorkspace(db, workspaceId);
    readAt = Date.now();
    return known;
  };
}

/**
 * In the demo workspace the demo's customers are simulated, so nothing sent to them can reach a
 * real provider. Rather than retrying every reply and survey to them for hours (and filling the
 * log with "no sender" warnings), a message no configured channel can carry is recorded as sent
 * by the demo, with a `demo-` provider id that says so. Messages a real, configured channel can
 * carry (a channel added to the demo desk) still go through it, and everyone else's messages go
 * the normal way: a real customer must not be shown `sent` for a message nobody sent (their case
 * would then resolve on a notice they never got). Changes the map in place: the outbox and the
 * problem notifier share it.
 *
 * Installed on every node, whether the desk is the demo yet or not: the demo is loaded by one
 * node, and the others learn of it from the stored flag (`demoFlag`). Outside the demo the
 * wrapper is the real sender, or the missing sender's failure, and says ready only when the real
 * sender does: the problem notifier then routes as if it were not there.
 */
export function enableDemoDelivery(
  senders: Map<string, Sender>,
  db: Kysely<DB>,
  opts: { workspaceId: string; logger?: Logger; ttlMs?: number },
): void {
  const { logger } = opts;
  const isDemo = demoFlag(db, opts.workspaceId, opts.ttlMs);
  for (const kind of DEMO_CHANNELS) {
    const real = senders.get(kind);
    if ((real as DemoAware | undefined)?.demoAware) continue;
    // The real sender says whether it can carry this message (X and Meta need the channel
    // record the conversation arrived on, which simulated cases lack; email and SMS need a
    // configured mailbox or number).
    const realReady = async (msg: Parameters<NonNullable<Sender['ready']>>[0]) =>
      !!real && (!real.ready || (await real.ready(msg)));
    const sender: DemoAware = async (msg, key) => {
      if (await realReady(msg)) return real!(msg, key);
      // About to fail: a "no" cached from before another node loaded the demo is read again.
      if (!(await isDemo(true)) || !(await isDemoCustomer(db, msg.caseId))) {
        if (real) return real(msg, key);
        // What the outbox says when a channel has no sender (outbox.worker.ts): the flag was
        // just read again, so this is no demo customer and waiting would not change that.
        throw new ConnectorError('not_configured', `no sender is configured for channel ${kind}`);
      }
      logger?.debug({ messageId: msg.messageId, channel: kind }, 'demo: delivery simulated');
      return { externalId: `demo-${msg.messageId}` };
    };
    // Asked by the problem notifier before it routes: a real customer no configured channel
    // reaches is not ready here either, so their notice falls back to another identity or ends
    // undeliverable (back to the desk) instead of failing "temporarily" for 24 hours.
    sender.ready = async (msg) =>
      (await realReady(msg)) ||
      (!!msg.caseId && (await isDemo()) && (await isDemoCustomer(db, msg.caseId)));
    // The channel's rules hold in the demo too: a reply a real channel would refuse (too long
    // for X, say) is refused to the demo's agent as it would be on a live desk.
    if (real?.check) sender.check = real.check;
    // A real sender with no channel record set up (no mailbox, no number) carries only the
    // demo's customers, whose messages the demo records as sent; anyone else's reply is refused.
    const realConfigured = real?.configured;
    if (realConfigured)
      sender.configured = async (trx, msg) =>
        (await realConfigured(trx, msg)) ||
        ((await demoWorkspace(trx, opts.workspaceId)) && (await isDemoCustomer(trx, msg.caseId)));
    // With no real sender (`api`, `webchat` without an outbound URL) the wrapper carries only
    // the demo's customers: anyone else's reply is refused as if the wrapper were not there
    // (`sendersCheck`). Read through the reply's transaction (SQLite has one connection).
    if (!real) {
      sender.check = async (trx, msg) => {
        if (
          !(await demoWorkspace(trx, opts.workspaceId)) ||
          !(await isDemoCustomer(trx, msg.caseId))
        )
          await refuseNoSender(trx, msg);
      };
    }
    sender.demoAware = true;
    senders.set(kind, sender);
  }
}

type DemoAware = Sender & { demoAware?: true };
