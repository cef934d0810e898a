import type { Kysely } from 'kysely';
import type { DB } from '../platform/db/schema.js';
import { RuleError } from './connector-error.js';
import type { OutboundMessage } from './sender.js';

/**
 * Refuses a reply on a kind of channel the desk has no sender for (voice, whose calls are not
 * answered in writing; `api` or `webchat` without an outbound URL): nothing could ever carry it,
 * so the agent is answered at once (422 `not_configured`) rather than shown a queued reply
 * that counts as the first response and then fails. Like `window_closed`, it names the
 * customer's other identities, so the agent can answer there. Reads through `db`, the reply's
 * transaction (SQLite has one connection).
 */
export async function refuseNoSender(db: Kysely<DB>, msg: OutboundMessage): Promise<never> {
  const others = await db
    .selectFrom('identities as i')
    .innerJoin('cases as c', 'c.customer_id', 'i.customer_id')
    .select(['i.channel', 'i.address'])
    .where('c.id', '=', msg.caseId)
    .orderBy('i.created_at')
    .execute();
  const rest = others.filter((o) => !(o.channel === msg.channel && o.address === msg.to));
  const offer = rest.length
    ? ` The customer can also be reached on: ${rest.map((o) => `${o.channel} ${o.address}`).join(', ')}.`
    : ' No other identity of this customer is known.';
  throw new RuleError(
    'not_configured',
    'not_configured',
    'no_sender',
    `[no_sender] the desk cannot send on ${msg.channel}: no ${msg.channel} channel is set up to send replies.${offer}`,
  );
}
