import { sendJson } from './http.js';

/** Jira's status categories (`statusCategory.key`): to do, in progress, done. */
export type JiraCategory = 'new' | 'indeterminate' | 'done';

const FIXED = new Set(['fixed', 'verified', 'closed']);
const WORKED_ON = new Set(['fixing', 'confirmed']);

/**
 * The status category the Jira issue should reach for a problem event, checked against the
 * problem's status when it is sent (as for PagerDuty: a retried `problem.fixed` delivered after a
 * reopening must not close the issue). Fixed, verified or closed: done. Work started, or the
 * problem back from a fix: in progress. Anything else leaves the issue's status alone.
 */
export function jiraTargetCategory(event: string, status: string): JiraCategory | null {
  if (event === 'problem.fixed' || event === 'problem.verified' || event === 'problem.closed')
    return FIXED.has(status) ? 'done' : null;
  if (event === 'problem.fixing' || event === 'problem.reopened')
    return WORKED_ON.has(status) ? 'indeterminate' : null;
  return null;
}

/**
 * The status category a Jira issue created just now should reach: where the problem stands now
 * (a new issue starts in the project's first status). An issue is created on whatever event first
 * reaches the integration (one added while the problem is being fixed hears `problem.updated`
 * first, one with `config.events` may never hear `problem.fixing`), and the event alone would
 * leave it in "To Do". The event's own move comes first (a reopening back to confirmed is work).
 */
export function jiraCreatedCategory(event: string, status: string): JiraCategory | null {
  const byEvent = jiraTargetCategory(event, status);
  if (byEvent) return byEvent;
  if (FIXED.has(status)) return 'done';
  return status === 'fixing' ? 'indeterminate' : null;
}

interface JiraTransition {
  id?: string;
  name?: string;
  to?: { name?: string; statusCategory?: { key?: string } };
}

export interface TransitionRequest {
  base: string;
  key: string;
  target: JiraCategory;
  /** A transition or status name to use instead of the first of the category (config). */
  named?: string;
  opts: { headers: Record<string, string>; secrets: string[] };
  /** Called just before the transition is posted (only when the issue moves). */
  willPush?: () => Promise<void>;
}

/**
 * Moves the issue to a status of the `target` category through Jira's transition flow:
 * GET /rest/api/3/issue/{key}?fields=status (an issue there already is left alone: Jira moved it
 * itself, or an earlier try did), GET /rest/api/3/issue/{key}/transitions, then
 * POST /rest/api/3/issue/{key}/transitions {"transition": {"id"}}. Workflows differ per project,
 * so the transition is picked by its target status category, or by the name an admin configured
 * (transition or status name). Returns a note when no transition fits: retrying would not help,
 * the admin has to name one or change the workflow.
 */
export async function transitionJira(req: TransitionRequest): Promise<string | null> {
  const issue = `${req.base}/rest/api/3/issue/${encodeURIComponent(req.key)}`;
  const get = { ...req.opts, method: 'GET' };
  const now = (await sendJson(`${issue}?fields=status`, undefined, get)) as {
    fields?: { status?: { name?: string; statusCategory?: { key?: string } } };
  } | null;
  const status = now?.fields?.status;
  if (status?.statusCategory?.key === req.target) return null;
  const listed = (await sendJson(`${issue}/transitions`, undefined, get)) as {
    transitions?: JiraTransition[];
  } | null;
  const all = Array.isArray(listed?.transitions) ? listed.transitions : [];
  const same = (a: string | undefined) =>
    !!a && !!req.named && a.trim().toLowerCase() === req.named.trim().toLowerCase();
  const pick = req.named
    ? all.find((t) => same(t.name) || same(t.to?.name))
    : all.find((t) => t.to?.statusCategory?.key === req.target);
  if (!pick?.id) {
    const offered = all.map((t) => `${t.name} → ${t.to?.name}`).join(', ') || 'none';
    const wanted = req.named ? `named "${req.named}"` : `to a ${req.target}-category status`;
    return `Jira issue ${req.key} (status ${status?.name ?? 'unknown'}) has no transition ${wanted}; offered: ${offered}`;
  }
  // Recorded before the call: Jira's webhook of the move may come in before the answer does.
  await req.willPush?.();
  await sendJson(`${issue}/transitions`, { transition: { id: pick.id } }, req.opts);
  return null;
}
