import { type FakeJiraOptions, startFakeJira } from '../../../test/fakes/jira.js';
import { startFake } from './fake-server.js';

/** A Jira status: its name, id and category (`statusCategory.key`). */
export interface FakeStatus {
  id: string;
  name: string;
  category: 'new' | 'indeterminate' | 'done';
}

/** The default workflow of a Jira Cloud software project. */
export const DEFAULT_STATUSES: FakeStatus[] = [
  { id: '10000', name: 'To Do', category: 'new' },
  { id: '3', name: 'In Progress', category: 'indeterminate' },
  { id: '10001', name: 'Done', category: 'done' },
];

export interface FakeJiraWorkflowOptions extends FakeJiraOptions {
  /**
   * Transitions offered from any status (to every other one): `{id, name, to}` with `to` a status
   * name; by default one per status, named after it (ids 11, 21, 31).
   */
  transitions?: { id: string; name: string; to: string }[];
  statuses?: FakeStatus[];
}

const errorCollection = (status: number, errorMessages: string[], errors = {}) => ({
  status,
  body: { errorMessages, errors },
});

/**
 * Fake Jira Cloud with a workflow: the issue calls of test/fakes/jira.ts (create, JQL search,
 * comment, with their format checks) are passed to it, and issue statuses and transitions are
 * served here as documented: GET /rest/api/3/issue/{key}?fields=status answers
 * `fields.status {id, name, statusCategory {key}}`; GET …/{key}/transitions lists
 * `{transitions: [{id, name, to: {id, name, statusCategory {key}}}]}` (a transition to the
 * issue's own status is not offered); POST …/{key}/transitions takes `{"transition": {"id"}}`
 * with an offered id and answers 204, else 400 (ErrorCollection), 404 for an unknown issue.
 * `setStatus` moves an issue as a person in Jira would; `statusOf` reads it.
 */
export async function startFakeJiraWorkflow(opts: FakeJiraWorkflowOptions = {}) {
  const inner = await startFakeJira(opts);
  const statuses = opts.statuses ?? DEFAULT_STATUSES;
  const transitions =
    opts.transitions ??
    statuses.map((s, i) => ({ id: String(11 + 10 * i), name: s.name, to: s.name }));
  /** Issue key → status name; an issue starts in the first status. */
  const issues = new Map<string, string>();
  const statusNamed = (name: string) => statuses.find((s) => s.name === name)!;
  const shown = (s: FakeStatus) => ({
    id: s.id,
    name: s.name,
    statusCategory: { key: s.category },
  });
  const offered = (key: string) =>
    transitions
      .filter((t) => t.to !== issues.get(key))
      .map((t) => ({ id: t.id, name: t.name, to: shown(statusNamed(t.to)) }));
  const outer = await startFake(async (r) => {
    const url = new URL(r.path, 'http://fake');
    const m = /^\/rest\/api\/3\/issue\/([^/]+)(\/transitions)?$/.exec(url.pathname);
    const key = m ? decodeURIComponent(m[1]) : undefined;
    if (key && (r.method === 'GET' || m?.[2])) {
      if (!String(r.headers.authorization ?? '').startsWith('Basic '))
        return errorCollection(401, ['You are not authenticated. Authentication required.']);
      if (!issues.has(key))
        return errorCollection(404, [
          'Issue does not exist or you do not have permission to see it.',
        ]);
      if (r.method === 'GET' && !m?.[2])
        return {
          status: 200,
          body: { key, fields: { status: shown(statusNamed(issues.get(key)!)) } },
        };
      if (r.method === 'GET') return { status: 200, body: { transitions: offered(key) } };
      if (r.method !== 'POST') return errorCollection(405, ['Method not allowed']);
      const id = (r.body as { transition?: { id?: unknown } } | null)?.transition?.id;
      if (typeof id !== 'string')
        return errorCollection(400, [], { transition: 'transition.id is required' });
      const t = transitions.find((x) => x.id === id && offered(key).some((o) => o.id === id));
      if (!t) return errorCollection(400, [`Transition id '${id}' is not valid for this issue.`]);
      issues.set(key, t.to);
      return { status: 204 };
    }
    // Everything else is the format-checking fake's; the issues it makes or finds are learned.
    const res = await fetch(`${inner.url}${r.path}`, {
      method: r.method,
      headers: {
        authorization: String(r.headers.authorization ?? ''),
        'content-type': 'application/json',
      },
      body: r.method === 'GET' ? undefined : r.raw,
    }).catch(() => null);
    if (!res) return 'drop';
    const text = await res.text();
    const body = text ? JSON.parse(text) : undefined;
    const learn = (k: unknown) => {
      if (typeof k === 'string' && !issues.has(k)) issues.set(k, statuses[0].name);
    };
    learn(body?.key);
    for (const i of body?.issues ?? []) learn(i?.key);
    return { status: res.status, body };
  });
  return {
    ...outer,
    /** Moves an issue to a status by name, as a person in Jira would. */
    setStatus: (key: string, name: string) => issues.set(key, name),
    statusOf: (key: string) => issues.get(key),
    close: async () => {
      await outer.close();
      await inner.close();
    },
  };
}
