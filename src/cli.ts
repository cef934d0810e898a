import { Command } from 'commander';
import type { ProblemsListOptions } from './commands/problems.commands.js';
import { forTerminal } from './commands/terminal.js';
import { listScenarios } from './simulate/scenarios.js';

// Command modules are imported when their command runs, so `--help` and small commands do not
// load (and transpile) the whole application.
const admin = () => import('./commands/admin.commands.js');
const data = () => import('./commands/data.commands.js');
const access = () => import('./commands/access.commands.js');
const privacy = () => import('./commands/privacy.commands.js');

const program = new Command();
program
  .name('throughline')
  .description('Customer care that fixes causes, on every channel')
  .showHelpAfterError();

program
  .command('serve')
  .description('run the desk (HTTP API, pipeline and outbox workers)')
  .action(async () => (await import('./commands/serve.command.js')).serveCommand());
program
  .command('migrate')
  .description('apply database migrations')
  .action(async () => (await admin()).migrateCommand());

const token = program.command('token').description('API tokens');
token
  .command('create')
  .description('create an API token and print it on stdout')
  .requiredOption('--name <name>', 'what the token is for')
  .option(
    '--role <role>',
    'admin, supervisor, agent or integration (inbound messages only)',
    'admin',
  )
  .option('--expires-in <duration>', 'end of validity, e.g. 30d, 12h, 90m (default: never)')
  .action(async (opts) => (await access()).tokenCreateCommand(opts));
token
  .command('list')
  .description('list API tokens (never their secrets): role, last use, expiry, revoked')
  .option('--json', 'one JSON object per line')
  .action(async (opts) => (await access()).tokenListCommand(opts));
token
  .command('revoke <id>')
  .description('revoke an API token at once')
  .action(async (id: string) => (await access()).tokenRevokeCommand(id));

const user = program.command('user').description('user accounts');
user
  .command('create')
  .description('create a user (prints a one-time password unless --password is given)')
  .requiredOption('--email <email>')
  .option('--name <name>')
  .option('--role <role>', 'admin, supervisor or agent', 'agent')
  .option('--password <password>', 'initial password (or THROUGHLINE_USER_PASSWORD)')
  .action(async (opts) => (await admin()).userCreateCommand(opts));
user
  .command('list')
  .description('list user accounts with role and whether disabled')
  .option('--json', 'one JSON object per line')
  .action(async (opts) => (await access()).userListCommand(opts));
user
  .command('role <user> <role>')
  .description("change a user's role (user: e-mail or id)")
  .action(async (who: string, role: string) => (await access()).userUpdateCommand(who, { role }));
user
  .command('disable <user>')
  .description('disable a user: their sessions and the API tokens they made stop at once')
  .action(async (who: string) => (await access()).userUpdateCommand(who, { disabled: true }));
user
  .command('password-reset <user>')
  .description(
    'give a user (e-mail or id) a new one-time password, printed once; their sessions end',
  )
  .action(async (who: string) => (await access()).userPasswordResetCommand(who));
user
  .command('enable <user>')
  .description('enable a disabled user again')
  .action(async (who: string) => (await access()).userUpdateCommand(who, { disabled: false }));

const customer = program.command('customer').description('data-subject export and erasure');
customer
  .command('export <id>')
  .description('print everything held about a customer as JSON (GDPR art. 15)')
  .option('--out <file>', 'write to this file (mode 600) instead of stdout')
  .action(async (id: string, opts) => (await privacy()).customerExportCommand(id, opts));
customer
  .command('erase <id>')
  .description("erase a customer's personal data for good (GDPR art. 17); needs --yes")
  .option('--yes', 'confirm: this cannot be undone')
  .action(async (id: string, opts) => (await privacy()).customerEraseCommand(id, opts));

const imp = program.command('import').description('import history through the pipeline');
imp
  .command('twcs <file>')
  .description('import a Kaggle "Customer Support on Twitter" CSV as channel x')
  .action(async (file: string) => (await data()).importTwcsCommand(file));

program
  .command('simulate')
  .description('generate realistic traffic (to a JSON-lines file with --out, else into the desk)')
  .option(
    '--scenario <name>',
    listScenarios()
      .map((s) => s.name)
      .join(', '),
    'demo',
  )
  .option('--seed <n>', 'random seed (same seed, same traffic)', '1')
  .option('--days <d>', 'length in days')
  .option('--start <iso>', 'start of the simulated window')
  .option('--out <file>', 'write JSON lines here instead of ingesting')
  .action(async (opts) => (await data()).simulateCommand(opts));

program
  .command('replay <file>')
  .description('ingest a JSON-lines file of messages in event-time order')
  .option('--speed <speed>', '"max" or a factor of event time', 'max')
  .action(async (file: string, opts) =>
    (await import('./commands/replay.command.js')).replayCommand(file, opts),
  );

program
  .command('parked')
  .description('list inbound events the pipeline parked (or --retry them)')
  .option('--retry', 'queue every parked event again and process it')
  .option('--json', 'one JSON object per line')
  .action(async (opts) => (await admin()).parkedCommand(opts));

program
  .command('classify')
  .description(
    "triage JSON lines from stdin to JSON lines on stdout (with THROUGHLINE_DATABASE_URL: the desk's model, corrections included)",
  )
  .option('--shipped', 'the shipped model even when THROUGHLINE_DATABASE_URL names a desk')
  .action(async (opts: { shipped?: boolean }) => {
    const { runClassifyCommand } = await import('./triage/classify.command.js');
    const url = process.env.THROUGHLINE_DATABASE_URL;
    if (url && !opts.shipped) {
      const { deskTriage } = await import('./triage/desk-model.js');
      const desk = await deskTriage(url);
      process.stderr.write(`model ${desk.version} (the desk's)\n`);
      await runClassifyCommand(process.stdin, process.stdout, desk.triage);
    } else await runClassifyCommand(process.stdin, process.stdout);
  });

program
  .command('eval [name]')
  .description('run quality evaluations: triage, problems (all when no name)')
  .addHelpText(
    'after',
    `
Environment (problems):
  THROUGHLINE_EVAL_SEEDS=1,2,3      simulator seeds, 28 days each
  THROUGHLINE_EVAL_PIPELINE=false   leave out the whole-app run on SQLite (about half the time)
  THROUGHLINE_EVAL_REAL_TEXT=false  leave out incidents told in real customers' words`,
  )
  .action(async (name?: string) => {
    const { runEval } = await import('../eval/run.js');
    await runEval(name);
  });

program
  .command('bench [name]')
  .description(
    'run benchmarks and print figures with the machine: ingest, reads, triage, x-storm (all when no name)',
  )
  .addHelpText(
    'after',
    `
Environment (sizes):
  BENCH_SQLITE_N=100000     messages for the SQLite ingest run
  BENCH_PG_N=50000          messages for the PostgreSQL ingest run
  BENCH_READS_CASES=1000000 cases stored for the read-latency run`,
  )
  .action(async (name?: string) => {
    const { runBench } = await import('../bench/run.js');
    await runBench(name);
  });

const channel = program.command('channel').description('channel connections');
const channelAdd = channel
  .command('add')
  .description('connect a channel; prints its id on the last line');
const addChannel = async (kind: 'x' | 'meta' | 'email' | 'sms', opts: Record<string, unknown>) => {
  const { channelAddCommand } = await import('./channels/channel.command.js');
  await channelAddCommand(kind, opts as never);
};
channelAdd
  .command('x')
  .description('an X account (Account Activity webhooks or polling)')
  .requiredOption('--name <name>')
  .requiredOption('--consumer-secret <secret>', 'app consumer secret (CRC and signatures)')
  .option('--account-id <id>', 'numeric id of our X account (echo detection, DM links)')
  .option('--handle <handle>')
  .option('--bearer-token <token>', 'app-only token for search')
  .option('--user-access-token <token>', 'OAuth 2.0 user token for replies and DMs')
  .option('--api-base-url <url>', 'X API base URL (tests point it at a fake server)')
  .option('--mode <mode>', 'webhook or polling')
  .option('--poll-interval <seconds>')
  .option('--read-budget <postsPerMonth>', 'cap on posts read per month (X bills reads)')
  .option('--listen <query...>', 'keyword queries brought in as unsolicited posts')
  .action((opts) => addChannel('x', opts));
channelAdd
  .command('meta')
  .description('a Facebook Page, Instagram account and/or WhatsApp number (one webhook)')
  .requiredOption('--name <name>')
  .requiredOption('--app-secret <secret>', 'Meta app secret (X-Hub-Signature-256)')
  .requiredOption('--verify-token <token>', 'token for the GET verification handshake')
  .option('--page-id <id>')
  .option('--page-access-token <token>')
  .option('--instagram-account-id <id>')
  .option('--whatsapp-phone-number-id <id>')
  .option('--whatsapp-token <token>')
  .option('--whatsapp-template <name:language>', 'approved template for messages outside 24 h')
  .option('--human-agent-tag', 'allow the HUMAN_AGENT tag (7-day window)')
  .option('--graph-base-url <url>', 'Graph API base URL (tests point it at a fake server)')
  .action((opts) => addChannel('meta', opts));
channelAdd
  .command('email')
  .description("a mailbox: SMTP sends replies and notifications, IMAP brings customers' mail in")
  .requiredOption('--name <name>')
  .option('--host <host>', 'SMTP server')
  .option('--port <port>', '465 with --secure, else usually 587 (STARTTLS) or 25')
  .option('--secure', 'TLS from the first byte (port 465)')
  .option('--from <address>', 'sender, e.g. "Acme Care <care@acme.example>"')
  .option('--username <user>', 'SMTP AUTH user')
  .option('--password <password>', 'SMTP AUTH password (stored encrypted)')
  .option('--imap-host <host>', "IMAP server to poll for customers' mail")
  .option('--imap-port <port>', '993 with --tls, else usually 143')
  .option('--imap-user <user>', 'IMAP login')
  .option('--imap-password <password>', 'IMAP password (stored encrypted)')
  .option('--tls', 'IMAP over TLS from the first byte (the default; port 993)')
  .option('--no-tls', 'IMAP without TLS from the first byte (STARTTLS when offered)')
  .option('--mailbox <folder>', 'IMAP folder to read (default INBOX)')
  .option('--poll-interval <seconds>', 'seconds between IMAP polls (default 30)')
  .action((opts) => addChannel('email', opts));
channelAdd
  .command('sms')
  .description('an SMS number on a Twilio-style Messages API')
  .requiredOption('--name <name>')
  .requiredOption('--account-sid <sid>', 'Account SID (AC…)')
  .requiredOption('--auth-token <token>', 'Auth Token (stored encrypted)')
  .requiredOption('--from <number>', 'our number in E.164, e.g. +14155550100')
  .option('--api-base-url <url>', 'API base URL (tests point it at a fake server)')
  .action((opts) => addChannel('sms', opts));

const problems = program.command('problems').description('root-cause problems');
const problemCommands = () => import('./commands/problems.commands.js');
problems
  .command('list')
  .description('list problems, newest first (as GET /api/v1/problems, with its filters)')
  .option('--status <statuses>', 'comma-separated statuses')
  .option('--topic <topic>', 'a triage topic, or none (text clusters)')
  .option('--area <place>', 'a postal code, city, region or country the problem names')
  .option('--owner <team>', 'the owner team, by name')
  .option('--json', "one JSON object per line, in the API's problem shape")
  .action(async (opts: ProblemsListOptions) => (await problemCommands()).problemsListCommand(opts));
problems
  .command('status <problem> <status>')
  .description(
    'move a problem (its id, or its number as listed: 12 or #12) to confirmed, fixing, fixed, verified or closed, messaging linked customers',
  )
  .option('--message <text>', 'status update sent to every linked customer')
  .option('--eta <iso>', "expected fix time, ISO-8601 with a zone (the API's etaAt)")
  .action(async (id: string, status: string, opts: { message?: string; eta?: string }) =>
    (await problemCommands()).problemsStatusCommand(id, status, opts),
  );

// The reader of our output went away (`throughline problems list --json | head`): what it
// wanted is printed, so stop quietly, as other command-line tools do, not with an EPIPE trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code === 'EPIPE') process.exit(0);
  throw err;
});

program.parseAsync(process.argv).catch((err: unknown) => {
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`error: ${forTerminal(message)}\n`);
  process.exit(1);
});
