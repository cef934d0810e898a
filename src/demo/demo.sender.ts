import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { ConnectorError } from '../channels/connector-error.js';
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

/**
 * In the demo workspace the demo's customers are simulated, so nothing sent to them can reach a
 * real provider. Rather than retrying every reply and survey to them for hours (and filling the
 * log with "no sender" warnings), a message no configured channel can carry is recorded as sent
 * by the demo, with a `demo-` provider id that says so. Messages a real, configured channel can
 * carry (a channel added to the demo desk) still go through it, and everyone else's messages go
 * the normal way: a real customer must not be shown `sent` for a message nobody sent (their case
 * would then resolve on a notice they never got). Changes the map in place: the outbox and the
 * problem notifier share it.
 */
export function enableDemoDelivery(
  senders: Map<string, Sender>,
  db: Kysely<DB>,
  logger?: Logger,
): void {
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
      if (!(await isDemoCustomer(db, msg.caseId))) {
        if (real) return real(msg, key);
        // What the outbox says when a channel has no sender (outbox.worker.ts).
        throw new ConnectorError('temporary', `no sender is configured for channel ${kind}`);
      }
      logger?.debug({ messageId: msg.messageId, channel: kind }, 'demo: delivery simulated');
      return { externalId: `demo-${msg.messageId}` };
    };
    // Asked by the problem notifier before it routes: a real customer no configured channel
    // reaches is not ready here either, so their notice falls back to another identity or ends
    // undeliverable (back to the desk) instead of failing "temporarily" for 24 hours.
    sender.ready = async (msg) =>
      (await realReady(msg)) || (!!msg.caseId && (await isDemoCustomer(db, msg.caseId)));
    sender.demoAware = true;
    senders.set(kind, sender);
  }
}

type DemoAware = Sender & { demoAware?: true };
