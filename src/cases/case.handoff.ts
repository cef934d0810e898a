import type { Kysely } from 'kysely';
import { addIdentity } from '../customers/customer.service.js';
import type { DB } from '../platform/db/schema.js';
import { AppError } from '../platform/errors.js';
import type { Actor } from '../platform/http/auth.js';
import { replyInTrx } from './case.reply.js';
import { caseEvent, loadCase } from './case.store.js';

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
) {
  if (input.to !== 'dm') {
    if (!input.address)
      throw new AppError('bad_request', 'address is needed to move to phone or email');
    // Given by the customer in a private message but not confirmed: not verified.
    const c = await loadCase(db, actor.workspaceId, caseId);
    await addIdentity(
      db,
      actor,
      c.customer_id,
      { channel: input.to, address: input.address, verified: false },
      now,
    ).catch((err) => {
      if (!(err instanceof AppError && err.code === 'conflict')) throw err;
    });
  }
  return db.transaction().execute(async (trx) => {
    const c = await loadCase(trx, actor.workspaceId, caseId);
    if (input.to === 'dm') {
      if (c.channel !== 'x') throw new AppError('bad_request', 'the DM link is for cases on X');
      const ch = await trx
        .selectFrom('channels')
        .select('config_json')
        .where('workspace_id', '=', actor.workspaceId)
        .where('kind', '=', 'x')
        .where('disabled_at', 'is', null)
        .executeTakeFirst();
      const accountId = ch
        ? (JSON.parse(ch.config_json).accountId as string | undefined)
        : undefined;
      if (!accountId)
        throw new AppError('bad_request', 'no X channel with an accountId is configured');
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
        { text, visibility: 'public', expectedVersion: input.expectedVersion },
        now,
      );
      await caseEvent(trx, actor.workspaceId, c.id, actor, 'handoff', { to: 'dm', link }, now);
      return { channel: 'x', link, message };
    }
    await trx.updateTable('cases').set({ channel: input.to }).where('id', '=', c.id).execute();
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
          {
            text: input.text,
            channel: input.to,
            visibility: 'private',
            expectedVersion: input.expectedVersion,
          },
          now,
        )
      : null;
    return { channel: input.to, link: null, message };
  });
}
