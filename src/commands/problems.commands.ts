import type { Kysely } from 'kysely';
import { isDateTime } from '../ingest/inbound.schema.js';
import type { DB } from '../platform/db/schema.js';
import { toDtos } from '../problems/problem.dto.js';
import { listProblems } from '../problems/problem.list.js';
import { changeProblem } from '../problems/problem.service.js';
import { PROBLEM_STATUSES, type ProblemStatus } from '../problems/problem.store.js';
import { withApp } from './context.js';
import { forTerminal, jsonLine } from './terminal.js';

/** Problems read per page while listing all of them (the API's largest page). */
const PAGE = 200;

export interface ProblemsListOptions {
  status?: string;
  topic?: string;
  area?: string;
  owner?: string;
  json?: boolean;
}

/**
 * `throughline problems list [--status s,…] [--topic t] [--area place] [--owner team] [--json]`:
 * what `GET /api/v1/problems` lists with the same filters, in its order (newest first) and, with
 * `--json`, one problem per line in the shape of the API's `items`; a filter the API refuses is
 * its 400 message and a non-zero exit.
 *
 * Why JSON lines and not the API's `{items, nextCursor}`: the command reads every page, so there
 * is no cursor to give; lines are printed page by page (memory stays one page, `| head` stops
 * early), and `parked`, `token list` and `user list` print their `--json` the same way.
 */
export async function problemsListCommand(opts: ProblemsListOptions) {
  await withApp(
    async (app) => {
      const db = app.database.db;
      let cursor: string | undefined;
      do {
        const page = await listProblems(db, app.workspace.workspaceId, {
          status: opts.status,
          topic: opts.topic,
          area: opts.area,
          owner: opts.owner,
          limit: PAGE,
          cursor,
        });
        for (const p of await toDtos(db, page.rows)) {
          const line = opts.json
            ? jsonLine(p)
            : [
                `#${p.number}`,
                p.status,
                p.detectedAt,
                `${p.customerCount} customer${p.customerCount === 1 ? '' : 's'}`,
                forTerminal(p.title),
                p.id,
              ].join('\t');
          process.stdout.write(`${line}\n`);
        }
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    },
    { existing: true },
  );
}

/**
 * A problem named as the list shows it (`#12` or `12`) or by its id: the number is what people
 * read and type; the id is what scripts keep.
 */
async function problemIdOf(db: Kysely<DB>, ws: string, ref: string): Promise<string> {
  const m = /^#?(\d{1,9})$/.exec(ref.trim());
  if (!m) return ref;
  const row = await db
    .selectFrom('problems')
    .select('id')
    .where('workspace_id', '=', ws)
    .where('number', '=', Number(m[1]))
    .executeTakeFirst();
  if (!row) throw new Error(`problem #${m[1]} not found`);
  return row.id;
}

/**
 * `throughline problems status <id|#number> <status> [--message text] [--eta iso]`: as
 * `POST /api/v1/problems/:id/status`, as the CLI user; `--eta` is its `etaAt`.
 */
export async function problemsStatusCommand(
  id: string,
  status: string,
  opts: { message?: string; eta?: string },
) {
  if (!(PROBLEM_STATUSES as readonly string[]).includes(status))
    throw new Error(`unknown status ${status}; statuses are ${PROBLEM_STATUSES.join(', ')}`);
  if (opts.eta !== undefined && !isDateTime(opts.eta))
    throw new Error('--eta must be an ISO-8601 date-time with a zone, e.g. 2026-05-04T18:30:00Z');
  await withApp(
    async (app) => {
      const res = await changeProblem(
        app.database.db,
        { type: 'cli', id: 'cli', workspaceId: app.workspace.workspaceId },
        await problemIdOf(app.database.db, app.workspace.workspaceId, id),
        {
          status: status as ProblemStatus,
          body: opts.message,
          etaAt: opts.eta === undefined ? undefined : Date.parse(opts.eta),
        },
        Date.now(),
      );
      const eta = res.problem.eta_at == null ? '' : `, expected ${iso(res.problem.eta_at)}`;
      process.stdout.write(
        `problem #${res.problem.number} is ${res.problem.status}${eta}; ${res.notified} ${res.notified === 1 ? 'customer' : 'customers'} queued for notification\n`,
      );
    },
    { existing: true },
  );
}

const iso = (ms: number) => new Date(Number(ms)).toISOString();
