import type { Kysely } from 'kysely';
import { addIdentityInTrx } from '../customers/customer.service.js';
import { refuseErasedCase } from '../customers/erased.js';
import { linkKeyFor } from '../customers/identity.keys.js';
import { caseWriteTransaction } from '../platform/db/case-writes-lock.js';
import type { DB } from '../platform/db/schema.js';
import { AppError } from '../platform/errors.js';
import type { Actor } from '../platform/http/auth.js';
import { type ReplyCheck, replyInTrx } from './case.reply.js';
import { caseEvent, claimVersion, loadCase } from './case.store.js';

/** The X DM deep link (developer.x.com, "Direct Message deep link"), addressed to our account. */
export function dmDeepLink(accountId: string): string {
  return `https://twitter.com/messages/compose?recipient_id=${encodeURIComponent(accountId)}`;
}

export interface HandoffInput {
  /** `dm`: public reply inviting a private message; `phone`/`sms`/`email`: continue there. */
  to: 'dm' | 'voice' | 'sms' | 'email';
  /** The text of the public reply (dm) or of the first private message; `{{link}}` is the DM link. */
  text?: string;
  /** Phone number or email address the customer gave (voice, sms, email). */
  address?: string;
  expectedVersion?: number;
}

/**
 * Public → private in one step; the case continues across the switch. For `dm`, a public reply
 * carries the DM deep link of our X account; the customer's DM then joins this case (same
 * identity, thread window). For phone or email, the address becomes one of the customer's
 * identities and the case's channel moves there, so the next reply goes out on it.
 */
export async function handoff(
  db: Kysely<DB>,
  actor: Actor,
  caseId: string,
  input: HandoffInput,
  now: number,
  /** The channel's rules, asked of the reply the handoff sends (`replyInTrx`). */
  check?: ReplyCheck,
) {
  // Checked before anything is written: a bad address must not become an identity.
  const address = input.to === 'dm' ? null : checkedAddress(input.to, input.address);
  return caseWriteTransaction(db, async (trx) => {
    const c = await loadCase(trx, actor.workspaceId, caseId);
    // Up front for every kind of handoff (the reply and the identity refuse it too, later).
    await refuseErasedCase(trx, c);
    if (input.to === 'dm') {
      if (c.channel !== 'x') throw new AppError('bad_request', 'the DM link is for cases on X');
      const ch = await xChannelOf(trx, actor.workspaceId, c.id);
      const accountId = ch
        ? (JSON.parse(ch.config_json).accountId as string | undefined)
        : undefined;
      if (!accountId)
        throw new AppError('bad_request', 'no X channel with an accountId is configured');
      await claimVersion(trx, c, input.expectedVersion, {});
      const link = dmDeepLink(accountId);
      const template =
        input.text ??
        "We'd like to help with your account details privately — please send us a DM: {{link}}";
      const text = template.includes('{{link}}')
        ? template.replace('{{link}}', link)
        : `${template} ${link}`;
      const message = await replyInTrx(
        trx,
        actor,
        c.id,
        { text, visibility: 'public' },
        now,
        check,
      );
      await caseEvent(trx, actor.workspaceId, c.id, actor, 'handoff', { to: 'dm', link }, now);
      return { channel: 'x', link, message };
    }
    await claimVersion(trx, c, input.expectedVersion, { channel: input.to });
    // Given by the customer in a private message but not confirmed: not verified. Written with
    // the move, so a refused (stale) handoff leaves no identity behind.
    await addIdentityInTrx(
      trx,
      actor,
      c.customer_id,
      { channel: input.to, address: address!, verified: false },
      now,
    ).catch((err) => {
      if (!(err instanceof AppError && err.code === 'conflict')) throw err;
    });
    await caseEvent(
      trx,
      actor.workspaceId,
      c.id,
      actor,
      'handoff',
      { from: c.channel, to: input.to },
      now,
    );
    const message = input.text
      ? await replyInTrx(
          trx,
          actor,
          c.id,
          { text: input.text, channel: input.to, visibility: 'private' },
          now,
          check,
        )
      : null;
    return { channel: input.to, link: null, message };
  });
}

/**
 * The X account the customer wrote to in this case: the DM link must invite them to the account
 * that answers them publicly. With two X accounts, the first one found invited them to the
 * other. Falls back to the oldest enabled X channel (a case with no channel id recorded).
 */
async function xChannelOf(trx: Kysely<DB>, workspaceId: string, caseId: string) {
  const enabled = () =>
    trx
      .selectFrom('channels')
      .select('config_json')
      .where('workspace_id', '=', workspaceId)
      .where('kind', '=', 'x')
      .where('disabled_at', 'is', null);
  const last = await trx
    .selectFrom('messages')
    .select('channel_id')
    .where('case_id', '=', caseId)
    .where('direction', '=', 'in')
    .where('channel', '=', 'x')
    .where('channel_id', 'is not', null)
    .orderBy('sent_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  const own = last?.channel_id
    ? await enabled().where('id', '=', last.channel_id).executeTakeFirst()
    : undefined;
  return own ?? (await enabled().orderBy('created_at').orderBy('id').executeTakeFirst());
}

/** The address to continue on, normalised (E.164, lower-case mailbox); 400 when it is none. */
function checkedAddress(to: 'voice' | 'sms' | 'email', address: string | undefined): string {
  if (!address) throw new AppError('bad_request', 'address is needed to move to phone or email');
  const key = linkKeyFor(to, address, false);
  if (!key) {
    const what = to === 'email' ? 'email address' : 'phone number';
    throw new AppError('bad_request', `"${address}" is not a valid ${what}`);
  }
  return key.slice(key.indexOf(':') + 1);
}
