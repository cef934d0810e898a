import { type Kysely, type Selectable, sql } from 'kysely';
import type { DB, ProblemTable } from '../platform/db/schema.js';
import { badRequest } from '../platform/errors.js';
import { TOPICS } from '../triage/types.js';
import { readArea } from './manual-area.js';
import { readPlace } from './place-text.js';
import { placeWithin } from './place-within.js';
import { PROBLEM_STATUSES, type ProblemStatus } from './problem.store.js';

export interface ProblemFilter {
  /** Comma-separated lifecycle statuses. */
  status?: string;
  /** A triage topic, or `none` (`NO_TOPIC`): problems without one. */
  topic?: string;
  /** A postal code, city, region or country; a problem matches when its area names it. */
  area?: string;
  owner?: string;
  limit: number;
  /** The last id of the previous page; empty or absent: the first page (as in the case list). */
  cursor?: string;
}

/**
 * `?topic=none`: the problems of no topic, i.e. text clusters (a new kind of trouble no topic
 * names), process problems and ones made by hand without a topic. Not a triage topic, so it
 * cannot clash with one; `null` would read as the JSON value the API shows, not a word.
 */
export const NO_TOPIC = 'none';

/** Problem ids are UUIDv7 (time-ordered), so the newest problems come first by id. */
const ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Rows read per step while an area filter looks for a full page. */
const SCAN = 500;

/**
 * One page of a workspace's problems, newest first, keyset-paged by id. A filter value the
 * desk does not know (a status or topic that does not exist, a malformed cursor) is a 400, not
 * an empty page a client would take for "no such problems". Topics are triage's (`TOPICS`):
 * a problem made by hand takes no other.
 */
export async function listProblems(
  db: Kysely<DB>,
  workspaceId: string,
  f: ProblemFilter,
): Promise<{ rows: Selectable<ProblemTable>[]; nextCursor: string | null }> {
  const statuses = parseStatuses(f.status);
  if (f.topic && f.topic !== NO_TOPIC && !(TOPICS as readonly string[]).includes(f.topic))
    throw badRequest(
      `unknown topic ${f.topic}; topics are ${TOPICS.join(', ')}, or ${NO_TOPIC} for problems without one (text clusters)`,
    );
  // `?cursor=` is the first page, as `nextCursor ?? ''` is written by clients of every list.
  const cursor = f.cursor || undefined;
  if (cursor !== undefined && !ID_RE.test(cursor)) throw badRequest('cursor is not valid');
  const below = (id: string | undefined, n: number) => {
    let q = db.selectFrom('problems').selectAll().where('workspace_id', '=', workspaceId);
    if (statuses) q = q.where('status', 'in', statuses);
    if (f.topic === NO_TOPIC) q = q.where('topic', 'is', null);
    else if (f.topic) q = q.where('topic', '=', f.topic);
    // Team names are typed by people: "network operations" finds "Network operations".
    // Blank (`?owner=%20`) as absent, as `?owner=` is: not "the problems owned by nobody".
    if (f.owner?.trim()) q = q.where(sql`lower(owner)`, '=', f.owner.trim().toLowerCase());
    if (id) q = q.where('id', '<', id.toLowerCase());
    return q.orderBy('id', 'desc').limit(n).execute();
  };
  const needle = f.area?.trim().toLowerCase();
  // In parts ("Austin, TX"), read and checked as POST reads an area: a contradiction is a 400.
  // A state by its code reads as by its name, so "TX" also lists what covers Texas.
  const place = needle ? readPlace(f.area!) : null;
  let rows: Selectable<ProblemTable>[];
  if (!needle) rows = await below(cursor, f.limit + 1);
  else {
    // The area lives in a JSON column: read on by id until a page (plus one, to know there is
    // more) has matched or the problems run out. A workspace has hundreds or thousands of
    // problems, not millions, and each step is an index range.
    rows = [];
    let after = cursor;
    for (;;) {
      const batch = await below(after, SCAN);
      for (const r of batch) {
        if (!inArea(r, needle, place)) continue;
        rows.push(r);
        if (rows.length > f.limit) break;
      }
      if (rows.length > f.limit || batch.length < SCAN) break;
      after = batch[batch.length - 1].id;
    }
  }
  // A place no gazetteer knows that no problem names either is most likely a typo ("Austn"):
  // say so instead of an empty first page a client would read as "no trouble there". A place
  // named abroad by hand ("Leeds" on a problem made in GB) is still found by its name.
  // A postal code too ("99999", "941"): one the gazetteer does not know can be no detected
  // problem's, and POST refuses it.
  // Asked with other filters, a problem of another status, topic or owner naming it still counts.
  const filtered = !!(statuses || f.topic || f.owner?.trim());
  if (needle && !place && !cursor && rows.length === 0) {
    if (filtered && (await anyInArea(db, workspaceId, needle))) return { rows, nextCursor: null };
    throw badRequest(
      /\d/.test(needle)
        ? `area: "${f.area!.trim()}" is no place or postal code we know and no problem names it (US ZIP codes and UK postcodes are read: "78701", "SW1A 1AA")`
        : `area: no known place "${f.area!.trim()}" and no problem names it; give a postal code, city, state or country ("Berlin, Germany" for a city abroad)`,
    );
  }
  const page = rows.slice(0, f.limit);
  return { rows: page, nextCursor: rows.length > f.limit ? page[page.length - 1].id : null };
}

/** Whether any problem of the workspace, whatever its status, topic or owner, names the place. */
async function anyInArea(db: Kysely<DB>, workspaceId: string, needle: string): Promise<boolean> {
  let after: string | undefined;
  for (;;) {
    let q = db.selectFrom('problems').selectAll().where('workspace_id', '=', workspaceId);
    if (after) q = q.where('id', '<', after);
    const batch = await q.orderBy('id', 'desc').limit(SCAN).execute();
    if (batch.some((r) => inArea(r, needle, null))) return true;
    if (batch.length < SCAN) return false;
    after = batch[batch.length - 1].id;
  }
}

function parseStatuses(v: string | undefined): ProblemStatus[] | null {
  const list = v
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!list?.length) return null;
  const unknown = list.filter((s) => !(PROBLEM_STATUSES as readonly string[]).includes(s));
  if (unknown.length)
    throw badRequest(
      `unknown status ${unknown.join(', ')}; statuses are ${PROBLEM_STATUSES.join(', ')}`,
    );
  return list as ProblemStatus[];
}

type Place = Record<'postalCode' | 'city' | 'region' | 'country', string | null>;

/**
 * The problem's area names the filter at some level (a city's problem is in its region too),
 * lies inside the place the filter names ("Texas" finds problems in TX, "Austin, TX" those of
 * Austin and its postal codes, "New York, NY" Brooklyn's and Flushing's too, "United States" the
 * country's: `placeWithin`, as an owner rule of that place takes them), or covers it: an agent asking
 * what troubles 94110 wants the San Francisco outage and the California one too, which is
 * what the customers there are suffering from.
 */
function inArea(p: Selectable<ProblemTable>, needle: string, place: Place | null): boolean {
  // Read as shown: blanks null, the country of a known state (areas people typed, see readArea).
  const a = readArea(p.area_json ? (JSON.parse(p.area_json) as Place) : null);
  if (!a) return false;
  // By name: a postal code or city as typed (every Portland, not only the one `readPlace`
  // picks). A state's or country's code only when the text is no known place: read as one,
  // "CA" is California, and Toronto's country code must not list it there (nor "DE" Berlin's
  // under Delaware).
  const named = place ? [a.postalCode, a.city] : [a.postalCode, a.city, a.region, a.country];
  if (named.some((v) => v?.toLowerCase() === needle)) return true;
  if (!place) return false;
  return placeWithin(a, place) || placeWithin(place, a);
}
