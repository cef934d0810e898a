import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The message as sent (headers and body, RFC 5322). */
  raw: string;
  user?: string;
}

/** An SMTP reply the fake gives instead of accepting: e.g. `{ code: 451, text: '…' }`. */
export interface SmtpRefusal {
  code: number;
  text: string;
}

/**
 * A real SMTP server (npm smtp-server) on 127.0.0.1 that keeps what it receives. STARTTLS is off
 * so tests speak plain SMTP on loopback; with `auth` set it requires AUTH PLAIN/LOGIN with those
 * credentials (535 otherwise, optionally echoing what it refused). `refuse` makes the next DATA answer with the given code.
 */
export class FakeSmtp {
  readonly received: ReceivedMail[] = [];
  readonly refuse: SmtpRefusal[] = [];
  /** Recipients the server refuses at RCPT TO (by address, lower case), the others taken. */
  readonly refuseRecipient = new Map<string, SmtpRefusal>();
  /** SMTP connections accepted so far (pooling tests). */
  connections = 0;
  port = 0;
  /**
   * Put the refused username and password into the 535 reply, as some servers do: for tests that
   * the password never reaches an error, the logs or the channel's health.
   */
  echoRefusedLogin = false;
  private readonly server: SMTPServer;

  constructor(auth?: { username: string; password: string }) {
    this.server = new SMTPServer({
      disabledCommands: auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      authOptional: !auth,
      allowInsecureAuth: true,
      logger: false,
      // Stop within bounded time even if a client keeps its connection open.
      closeTimeout: 1000,
      onConnect: (_session, cb) => {
        this.connections++;
        cb();
      },
      onAuth: (a, _session, cb) => {
        if (auth && a.username === auth.username && a.password === auth.password)
          return cb(null, { user: a.username });
        const said = this.echoRefusedLogin ? ` for ${a.username} / ${a.password}` : '';
        return cb(
          Object.assign(new Error(`Authentication credentials invalid${said}`), {
            responseCode: 535,
          }),
        );
      },
      onRcptTo: (address, _session, cb) => {
        const refusal = this.refuseRecipient.get(address.address.toLowerCase());
        if (refusal)
          return cb(Object.assign(new Error(refusal.text), { responseCode: refusal.code }));
        cb();
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const refusal = this.refuse.shift();
          if (refusal)
            return cb(Object.assign(new Error(refusal.text), { responseCode: refusal.code }));
          this.received.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
            user: session.user as string | undefined,
          });
          cb();
        });
      },
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.server.address() as AddressInfo).port;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
