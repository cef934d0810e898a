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
 * the lead as at the event, for the text). Without one, why not, in a few words.
 */
async function leadOf(
  db: Kysely<DB>,
  workspaceId: string,
  problemId: string,
): Promise<{ email: string | null; why: string }> {
  const row = await db
    .selectFrom('problems')
    .leftJoin('teams', (j) =>
      j
        .onRef('teams.id', '=', 'problems.owner_team_id')
        .onRef('teams.workspace_id', '=', 'problems.workspace_id'),
    )
    .leftJoin('users', (j) =>
      j
        .onRef('users.id', '=', 'teams.lead_user_id')
        .onRef('users.workspace_id', '=', 'teams.workspace_id'),
    )
    .select([
      'teams.name as team',
      'teams.lead_user_id as leadId',
      'users.email',
      'users.disabled_at',
    ])
    .where('problems.id', '=', problemId)
    .where('problems.workspace_id', '=', workspaceId)
    .executeTakeFirst();
  if (!row?.team) return { email: null, why: 'the problem has no owner team' };
  const team = readableText(row.team);
  if (!row.leadId) return { email: null, why: `the owner team (${team}) has no lead named` };
  if (!row.email || row.disabled_at !== null)
    return { email: null, why: `the owner team's (${team}) lead's account is disabled` };
  return { email: row.email, why: '' };
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
  let nobody = 'the target mails no lead and names no address';
  if (cfg.lead !== false) {
    const lead = await leadOf(deps.db, workspaceId, stored.id);
    if (lead.email) to.add(lead.email.toLowerCase());
    nobody = lead.why;
  }
  if (to.size === 0) return { note: `no one to mail: ${nobody}` };
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
  const sent = await deps.mail({ to: [...to], subject, text, idempotencyKey });
  // Delivered to the others; the refusal is kept as the row's note for the delivery status.
  if (sent.refused?.length) return { note: `the mail server refused ${sent.refused.join(', ')}` };
  return {};
}
