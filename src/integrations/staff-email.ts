import type { Kysely } from 'kysely';
import { ConnectorError } from '../channels/connector-error.js';
import type { StaffMailer } from '../channels/email/email.staff.js';
import type { DB } from '../platform/db/schema.js';
import type { MergeTarget } from '../problems/escalate.js';
import {
  type AdapterResult,
  customersPhrase,
  newsOf,
  type ProblemPayload,
  type UpdatePayload,
} from './adapters.js';
import { readableProblem, readableText, readableUpdate } from './outbound-text.js';

/** An `email` escalation target: who hears of the problem's events, by mail. */
export interface StaffEmailConfig {
  /** Mail the owner team's lead, as named when the mail goes out (default true). */
  lead?: boolean;
  /** Other addresses that always get it (an on-call list, the team's shared mailbox). */
  to?: string[];
}

/**
 * The owner team's lead's address now: an enabled user of the workspace, through the team the
 * problem has at delivery (a lead named after the event still hears of it; the snapshot names
 * the lead as at the event, for the text).
 */
async function leadAddress(db: Kysely<DB>, workspaceId: string, problemId: string) {
  const row = await db
    .selectFrom('problems')
    .innerJoin('teams', (j) =>
      j
        .onRef('teams.id', '=', 'problems.owner_team_id')
        .onRef('teams.workspace_id', '=', 'problems.workspace_id'),
    )
    .innerJoin('users', (j) =>
      j
        .onRef('users.id', '=', 'teams.lead_user_id')
        .onRef('users.workspace_id', '=', 'teams.workspace_id'),
    )
    .select(['users.email'])
    .where('problems.id', '=', problemId)
    .where('problems.workspace_id', '=', workspaceId)
    .where('users.disabled_at', 'is', null)
    .executeTakeFirst();
  return row?.email ?? null;
}

/**
 * Mails a problem event to the owner team's lead (and any fixed addresses) through the desk's
 * outgoing mail (`staffMailer`). Plain text only, the customers' words made readable as for Slack
 * and Jira (`readableProblem`), the subject one line. With no one to write to (no lead named and
 * no address given) the event is given up with that reason, shown in the integration's delivery
 * status, rather than retried: naming a lead is a person's job.
 */
export async function sendStaffEmail(
  deps: { db: Kysely<DB>; mail?: StaffMailer },
  cfg: StaffEmailConfig,
  workspaceId: string,
  event: string,
  stored: ProblemPayload,
  idempotencyKey: string,
  storedUpdate?: UpdatePayload,
  mergedInto?: MergeTarget,
): Promise<AdapterResult> {
  if (!deps.mail) throw new ConnectorError('not_configured', 'this node sends no mail');
  const to = new Set((cfg.to ?? []).map((a) => a.trim().toLowerCase()));
  if (cfg.lead !== false) {
    const lead = await leadAddress(deps.db, workspaceId, stored.id);
    if (lead) to.add(lead.toLowerCase());
  }
  if (to.size === 0)
    return { note: `no one to mail: the owner team (${stored.owner ?? 'none'}) has no lead named` };
  const problem = readableProblem(stored);
  const update = readableUpdate(storedUpdate);
  const what = event.replace('problem.', '');
  const subject = readableText(`Problem #${problem.number} ${what}: ${problem.title}`).slice(
    0,
    250,
  );
  const { postalCode, city, region, country } = problem.area;
  const where = [postalCode, city, region, country].filter(Boolean).join(', ') || 'no place named';
  const news = newsOf(problem, update, mergedInto).trim();
  const text = [
    `Problem #${problem.number} ${what}: ${problem.title}`,
    '',
    `Status: ${problem.status}`,
    `Topic: ${problem.topic ?? 'none (a new kind of trouble)'}`,
    `Where: ${where}`,
    `Customers: ${customersPhrase(problem.customerCount)} (${problem.messageCount} messages)`,
    `Detected: ${problem.detectedAt}`,
    `Owner: ${problem.owner ?? 'unassigned'}${problem.lead ? ` · Lead: ${problem.lead.name}` : ''}`,
    ...(news ? ['', news] : []),
    '',
    `Open it: ${problem.url}`,
    '',
    'You get this mail as the lead of the team that owns the problem, or because an administrator added your address to this escalation target.',
  ].join('\n');
  await deps.mail({ to: [...to], subject, text, idempotencyKey });
  return {};
}
