import { recordError, recordSuccess } from './channel.state.js';
import type { MetaChannel, XChannel } from './channel.types.js';
import { ConnectorError } from './connector-error.js';
import { emailTestConnection } from './email/email.connection.js';
import type { EmailChannel } from './email/email.types.js';
import { metaTestConnection } from './meta/meta.sender.js';
import type { ChannelDeps } from './routes.js';
import { smsTestConnection } from './sms/sms.sender.js';
import type { SmsChannel } from './sms/sms.types.js';
import { xClientFor } from './x/x.sender.js';

export interface ConnectionTest {
  ok: boolean;
  /** What the provider said we are connected as. */
  account?: Record<string, string | undefined>;
  error?: { kind: string; message: string };
}

/** Calls a cheap authenticated endpoint of the provider and records the outcome in health. */
export async function testChannelConnection(
  deps: ChannelDeps,
  ch: XChannel | MetaChannel | EmailChannel | SmsChannel,
): Promise<ConnectionTest> {
  try {
    let account: Record<string, string | undefined>;
    if (ch.kind === 'x') {
      const x = ch as XChannel;
      const me = await xClientFor(deps, x).me();
      if (x.config.accountId && me.id !== x.config.accountId) {
        throw new ConnectorError(
          'permission_missing',
          `the user token belongs to account ${me.id}, not the configured ${x.config.accountId}`,
        );
      }
      account = { id: me.id, username: me.username, name: me.name };
    } else if (ch.kind === 'email') {
      account = await emailTestConnection(ch as EmailChannel);
    } else if (ch.kind === 'sms') {
      account = await smsTestConnection(ch as SmsChannel, deps.clock());
    } else {
      account = await metaTestConnection(deps, ch as MetaChannel);
    }
    await recordSuccess(deps.db, deps.workspaceId, ch.id, deps.clock());
    return { ok: true, account };
  } catch (err) {
    const ce = err instanceof ConnectorError ? err : new ConnectorError('unknown', String(err));
    await recordError(deps.db, deps.workspaceId, ch.id, ce, deps.clock());
    return { ok: false, error: { kind: ce.kind, message: ce.message } };
  }
}
