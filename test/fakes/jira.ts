import { type Recorded, startFake } from '../../src/integrations/testing/fake-server.js';

/** Jira's error answer (ErrorCollection): general messages and per-field errors. */
const errorCollection = (status: number, errorMessages: string[], errors = {}) => ({
  status,
  body: { errorMessages, errors },
});

/** An Atlassian Document Format document: {type: 'doc', version: 1, content: [...]}. */
function isAdfDoc(v: unknown): boolean {
  const d = v as { type?: unknown; version?: unknown; content?: unknown } | null;
  return !!d && d.type === 'doc' && d.version === 1 && Array.isArray(d.content);
}

/** Basic auth with `email:apiToken`, as Jira Cloud's REST API takes it. */
function basicAuthOk(r: Recorded): boolean {
  const h = String(r.headers.authorization ?? '');
  if (!h.startsWith('Basic ')) return false;
  const decoded = Buffer.from(h.slice(6), 'base64').toString('utf8');
  const i = decoded.indexOf(':');
  return i > 0 && i < decoded.length - 1;
}

function createErrors(body: unknown): Record<string, string> {
  const f = (body as { fields?: Record<string, unknown> } | null)?.fields;
  if (!f || typeof f !== 'object') return { fields: 'fields is required' };
  const errors: Record<string, string> = {};
  const project = f.project as { key?: unknown; id?: unknown } | undefined;
  if (!project || (typeof project.key !== 'string' && typeof project.id !== 'string'))
    errors.project = 'Specify a valid project ID or key';
  if (typeof f.summary !== 'string' || f.summary.trim() === '')
    errors.summary = 'You must specify a summary of the issue.';
  else if (f.summary.length > 255) errors.summary = 'Summary must be less than 255 characters.';
  else if (/[\r\n]/.test(f.summary))
    errors.summary = 'The summary is invalid because it contains newline characters.';
  const type = f.issuetype as { name?: unknown; id?: unknown } | undefined;
  if (!type || (typeof type.name !== 'string' && typeof type.id !== 'string'))
    errors.issuetype = 'Specify an issue type';
  if (f.description !== undefined && !isAdfDoc(f.description))
    errors.description = 'Operation value must be an Atlassian Document.';
  if (
    f.labels !== undefined &&
    (!Array.isArray(f.labels) || f.labels.some((l) => typeof l !== 'string' || /\s/.test(l)))
  )
    errors.labels = 'Labels are strings without spaces.';
  return errors;
}

/** The `field = "value"` clauses of a simple JQL query (enough for what the adapter asks). */
function jqlEquals(jql: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of jql.matchAll(/(\w+)\s*=\s*"((?:[^"\\]|\\.)*)"/g))
    out[m[1].toLowerCase()] = m[2].replace(/\\(.)/g, '$1');
  return out;
}

export interface FakeJiraOptions {
  /** The first create is made but its answer is lost (the connection drops). */
  loseFirstCreateAnswer?: boolean;
  /** Answer every request this late. */
  delayMs?: number;
}

/**
 * Fake Jira Cloud REST v3, checking the documented request format: Basic auth on every call;
 * POST /rest/api/3/issue creates PROB-1… (fields.project, fields.summary ≤255 on one line, fields.issuetype,
 * an ADF description); GET /rest/api/3/search/jql finds issues by project and label;
 * POST /rest/api/3/issue/{key}/comment takes an ADF body on an existing issue. Errors come as
 * Jira's ErrorCollection {errorMessages, errors}.
 */
export function startFakeJira(opts: FakeJiraOptions = {}) {
  const issues: { id: string; key: string; project: string; labels: string[] }[] = [];
  let lost = false;
  return startFake(async (r) => {
    if (opts.delayMs) await new Promise((res) => setTimeout(res, opts.delayMs));
    if (!basicAuthOk(r))
      return errorCollection(401, ['You are not authenticated. Authentication required.']);
    const url = new URL(r.path, 'http://fake');
    if (r.method === 'POST' && url.pathname === '/rest/api/3/issue') {
      const errors = createErrors(r.body);
      if (Object.keys(errors).length > 0) return errorCollection(400, [], errors);
      const f = (r.body as { fields: { project: { key: string }; labels?: string[] } }).fields;
      const n = issues.length + 1;
      const issue = {
        id: String(10000 + n),
        key: `PROB-${n}`,
        project: f.project.key,
        labels: f.labels ?? [],
      };
      issues.push(issue);
      if (opts.loseFirstCreateAnswer && !lost) {
        lost = true;
        return 'drop';
      }
      return {
        status: 201,
        body: { id: issue.id, key: issue.key, self: `/rest/api/3/issue/${issue.id}` },
      };
    }
    if (r.method === 'GET' && url.pathname === '/rest/api/3/search/jql') {
      const jql = url.searchParams.get('jql');
      if (!jql) return errorCollection(400, ['The JQL query is required.']);
      const where = jqlEquals(jql);
      const max = Number(url.searchParams.get('maxResults') ?? 50);
      const hits = issues.filter(
        (i) =>
          (where.project === undefined || i.project === where.project) &&
          (where.labels === undefined || i.labels.includes(where.labels)),
      );
      return {
        status: 200,
        body: {
          issues: hits.slice(0, max).map((i) => ({ id: i.id, key: i.key })),
          isLast: hits.length <= max,
        },
      };
    }
    const comment = /^\/rest\/api\/3\/issue\/([^/]+)\/comment$/.exec(url.pathname);
    if (r.method === 'POST' && comment) {
      const key = decodeURIComponent(comment[1]);
      if (!issues.some((i) => i.key === key))
        return errorCollection(404, [
          'Issue does not exist or you do not have permission to see it.',
        ]);
      if (!isAdfDoc((r.body as { body?: unknown } | null)?.body))
        return errorCollection(400, [], {
          comment: 'Comment body must be an Atlassian Document.',
        });
      return { status: 201, body: { id: '1' } };
    }
    return errorCollection(404, ['not found']);
  });
}
