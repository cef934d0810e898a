import { withApp } from '../commands/context.js';
import { forTerminal } from '../commands/terminal.js';
import { AppError } from '../platform/errors.js';
import { resolveSecretKey } from '../platform/secret-key.js';
import { webhookUrl } from './channel.routes.js';
import { createChannel, type NewChannel } from './channel.store.js';

/** Options of `throughline channel add x` (commander camel-cases the flags). */
export interface XAddOptions {
  name: string;
  consumerSecret: string;
  accountId?: string;
  handle?: string;
  bearerToken?: string;
  userAccessToken?: string;
  apiBaseUrl?: string;
  mode?: string;
  pollInterval?: string;
  readBudget?: string;
  listen?: string[];
}

/** Options of `throughline channel add meta`. */
export interface MetaAddOptions {
  name: string;
  appSecret: string;
  verifyToken: string;
  pageId?: string;
  pageAccessToken?: string;
  instagramAccountId?: string;
  whatsappPhoneNumberId?: string;
  whatsappToken?: string;
  /** `name:language`, e.g. `case_update:en_US`. */
  whatsappTemplate?: string;
  humanAgentTag?: boolean;
  graphBaseUrl?: string;
}

/** Options of `throughline channel add email`. */
export interface EmailAddOptions {
  name: string;
  host?: string;
  port?: string;
  secure?: boolean;
  from?: string;
  username?: string;
  password?: string;
  imapHost?: string;
  imapPort?: string;
  imapUser?: string;
  imapPassword?: string;
  /** commander's `--tls`/`--no-tls` pair: true unless `--no-tls`. */
  tls?: boolean;
  mailbox?: string;
  pollInterval?: string;
}

/** Options of `throughline channel add sms`. */
export interface SmsAddOptions {
  name: string;
  accountSid: string;
  authToken: string;
  from: string;
  apiBaseUrl?: string;
}

export type ChannelAddKind = 'x' | 'meta' | 'email' | 'sms';
export type ChannelAddOptions = XAddOptions | MetaAddOptions | EmailAddOptions | SmsAddOptions;

const int = (v: string | undefined, flag: string) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new AppError('bad_request', `${flag} must be an integer`);
  return n;
};
const defined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** Maps CLI options to a channel record (validated by createChannel). */
export function channelInputFromOptions(kind: ChannelAddKind, opts: ChannelAddOptions): NewChannel {
  if (kind === 'email') {
    const o = opts as EmailAddOptions;
    const smtp = o.host !== undefined || o.port !== undefined || o.from !== undefined;
    const imap =
      o.imapHost !== undefined || o.imapPort !== undefined || o.imapUser !== undefined
        ? defined({
            host: o.imapHost,
            port: int(o.imapPort, '--imap-port') ?? (o.tls === false ? 143 : 993),
            tls: o.tls !== false,
            user: o.imapUser,
            mailbox: o.mailbox,
            pollIntervalSeconds: int(o.pollInterval, '--poll-interval'),
          })
        : undefined;
    return {
      kind,
      name: o.name,
      config: defined({
        host: o.host,
        port: int(o.port, '--port'),
        secure: smtp ? !!o.secure : undefined,
        from: o.from,
        username: o.username,
        imap,
      }),
      secrets: defined({ password: o.password, imapPassword: o.imapPassword }),
    };
  }
  if (kind === 'sms') {
    const o = opts as SmsAddOptions;
    return {
      kind,
      name: o.name,
      config: defined({ accountSid: o.accountSid, from: o.from, apiBaseUrl: o.apiBaseUrl }),
      secrets: { authToken: o.authToken },
    };
  }
  if (kind === 'x') {
    const o = opts as XAddOptions;
    return {
      kind,
      name: o.name,
      config: defined({
        accountId: o.accountId,
        handle: o.handle?.replace(/^@/, ''),
        apiBaseUrl: o.apiBaseUrl,
        mode: o.mode,
        pollIntervalSeconds: int(o.pollInterval, '--poll-interval'),
        readBudgetPerMonth: int(o.readBudget, '--read-budget'),
        listenQueries: o.listen?.length ? o.listen : undefined,
      }),
      secrets: defined({
        consumerSecret: o.consumerSecret,
        bearerToken: o.bearerToken,
        userAccessToken: o.userAccessToken,
      }),
    };
  }
  const o = opts as MetaAddOptions;
  let template: { name: string; language: string } | undefined;
  if (o.whatsappTemplate) {
    const i = o.whatsappTemplate.lastIndexOf(':');
    if (i <= 0) throw new AppError('bad_request', '--whatsapp-template must be name:language');
    template = { name: o.whatsappTemplate.slice(0, i), language: o.whatsappTemplate.slice(i + 1) };
  }
  return {
    kind,
    name: o.name,
    config: defined({
      pageId: o.pageId,
      instagramAccountId: o.instagramAccountId,
      whatsappPhoneNumberId: o.whatsappPhoneNumberId,
      whatsappTemplate: template,
      humanAgentTag: o.humanAgentTag || undefined,
      graphBaseUrl: o.graphBaseUrl,
    }),
    secrets: defined({
      appSecret: o.appSecret,
      verifyToken: o.verifyToken,
      pageAccessToken: o.pageAccessToken,
      whatsappToken: o.whatsappToken,
    }),
  };
}

/**
 * `throughline channel add x|meta|email|sms …`: stores the channel with its credentials encrypted
 * and prints the webhook URL to give the provider (not for email), then the new channel id alone
 * on the last line.
 */
export async function channelAddCommand(kind: ChannelAddKind, opts: ChannelAddOptions) {
  const input = channelInputFromOptions(kind, opts);
  await withApp(async (app) => {
    try {
      const ch = await createChannel(
        app.database.db,
        resolveSecretKey(app.config),
        app.workspace.workspaceId,
        input,
        Date.now(),
      );
      process.stdout.write(`channel ${forTerminal(ch.name)} (${ch.kind}) created\n`);
      if (ch.kind !== 'email')
        process.stdout.write(`webhook URL: ${webhookUrl(app.config.publicUrl, ch.kind, ch.id)}\n`);
      process.stdout.write(`${ch.id}\n`);
    } catch (err) {
      if (err instanceof AppError) {
        process.stderr.write(`${forTerminal(err.message)}\n`);
        process.exitCode = 2;
        return;
      }
      throw err;
    }
  });
}
