import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports.js';

/**
 * A throwaway Dovecot IMAP server for tests: a generated config in a temporary folder (passwd-file
 * auth with one test user, maildir, its own base and state dirs, no TLS, loopback only), run in the
 * foreground on a free port, stopped and deleted afterwards. The binary comes from
 * THROUGHLINE_DOVECOT or Debian's `dovecot-imapd` package (/usr/sbin/dovecot).
 *
 * Dovecot drops privileges for its login and mail processes. As root it needs unprivileged users
 * for them: the `dovenull` and `dovecot` users the Debian package creates (mail is stored as
 * `dovecot`, so the folder is handed to it). As any other user it runs "rootless": every process
 * keeps the caller's uid.
 */
export interface Dovecot {
  host: string;
  port: number;
  user: string;
  password: string;
  stop(): Promise<void>;
}

function findDovecot(): string {
  const bin = process.env.THROUGHLINE_DOVECOT ?? '/usr/sbin/dovecot';
  if (existsSync(bin)) return bin;
  throw new Error(
    `Dovecot not found at ${bin}: install it (apt-get install -y dovecot-imapd) or set THROUGHLINE_DOVECOT`,
  );
}

const idOf = (flag: '-u' | '-g', user?: string) =>
  Number(
    execFileSync('id', user ? [flag, user] : [flag])
      .toString()
      .trim(),
  );
const nameOf = () => execFileSync('id', ['-un']).toString().trim();

/** Resolves once the server greets on its port (`* OK`). */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    s.setTimeout(2000);
    s.once('data', (b) => {
      s.destroy();
      resolve(b.toString().startsWith('* OK'));
    });
    s.once('error', () => resolve(false));
    s.once('timeout', () => {
      s.destroy();
      resolve(false);
    });
  });
}

export async function startDovecot(): Promise<Dovecot> {
  const bin = findDovecot();
  const dir = mkdtempSync(join(tmpdir(), 'tl-dovecot-'));
  // Its auth process runs as the internal user and must reach the passwd file.
  chmodSync(dir, 0o755);
  const root = process.getuid?.() === 0;
  const mailUid = root ? idOf('-u', 'dovecot') : idOf('-u');
  const mailGid = root ? idOf('-g', 'dovecot') : idOf('-g');
  const loginUser = root ? 'dovenull' : nameOf();
  const internalUser = root ? 'dovecot' : nameOf();
  for (const d of ['run', 'state', 'home']) mkdirSync(join(dir, d));
  if (root) chownSync(join(dir, 'home'), mailUid, mailGid);
  const port = await freePort();
  const user = 'care@desk.test';
  const password = 'imap-test-password';
  // PLAIN scheme: a test user on loopback; the file is the only place the password lives.
  writeFileSync(join(dir, 'passwd'), `${user}:{PLAIN}${password}:${mailUid}:${mailGid}\n`);
  const conf = join(dir, 'dovecot.conf');
  writeFileSync(
    conf,
    `protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = ${loginUser}
default_internal_user = ${internalUser}
first_valid_uid = ${Math.min(mailUid, 1)}
first_valid_gid = ${Math.min(mailGid, 1)}
mail_location = maildir:${dir}/home/%u/Maildir
passdb {
  driver = passwd-file
  args = ${dir}/passwd
}
userdb {
  driver = static
  args = uid=${mailUid} gid=${mailGid} home=${dir}/home/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service stats {
  inet_listener http {
    port = 0
  }
}
`,
  );
  const child: ChildProcess = spawn(bin, ['-F', '-c', conf], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 20_000;
  while (!(await greets(port))) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      let log = '';
      try {
        log = execFileSync('tail', ['-n', '20', join(dir, 'dovecot.log')]).toString();
      } catch {}
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`Dovecot did not start: ${log || `exit code ${child.exitCode}`}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
