import { type Static, Type } from '@sinclair/typebox';
import type { Kysely, Selectable } from 'kysely';
import type { DB, ProblemTable } from '../platform/db/schema.js';
import { Nullable } from '../platform/nullable.js';
import { readArea } from './manual-area.js';
import { heldCounts } from './problem.store.js';

/* A problem as the API shows it (`/api/v1/problems…`), and the shapes its routes share. */

export const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());

export const StatusT = Type.Union([
  Type.Literal('suspected'),
  Type.Literal('confirmed'),
  Type.Literal('fixing'),
  Type.Literal('fixed'),
  Type.Literal('verified'),
  Type.Literal('closed'),
]);
const AreaT = Type.Object({
  postalCode: Nullable(Type.String()),
  city: Nullable(Type.String()),
  region: Nullable(Type.String()),
  country: Nullable(Type.String()),
});
/**
 * An area a person gives (`POST /api/v1/problems`): a level left out is not known, as null
 * says; a key that is not one of the four, or a value that is not a string or null, is a 400,
 * and so is one longer than any place's name (the place itself is checked in manual-area.ts).
 */
export const ManualAreaT = Type.Object(
  {
    postalCode: Type.Optional(Nullable(Type.String({ maxLength: 10 }))),
    city: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
    region: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
    country: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
  },
  { additionalProperties: false },
);

/** The area of a problem with no place known: every field null, never a missing object. */
const NO_AREA = { postalCode: null, city: null, region: null, country: null };

export const ProblemDto = Type.Object({
  id: Type.String(),
  number: Type.Integer(),
  status: StatusT,
  kind: Type.String({ description: 'area, text, process or manual' }),
  title: Type.String(),
  topic: Nullable(Type.String({ description: 'null for a text cluster' })),
  area: Type.Composite([AreaT], {
    description: 'null fields where not known (all null: no place known, e.g. a process problem)',
  }),
  detectedAt: Type.String({ description: 'event time, ISO-8601' }),
  firstEventAt: Type.String(),
  lastEventAt: Type.String(),
  owner: Nullable(Type.String()),
  lead: Type.Union(
    [Type.Null(), Type.Object({ id: Type.String(), name: Type.String(), email: Type.String() })],
    {
      description:
        'the owner team’s lead (`PATCH /api/v1/teams/:id`), who answers for it: a process problem is owned by that team’s lead; null when the team has none (or no owner team)',
    },
  ),
  externalRefs: Type.Record(Type.String(), Type.String()),
  caseIds: Type.Array(Type.String()),
  customerCount: Type.Integer({ description: 'distinct customers of the linked cases' }),
  messageCount: Type.Integer({
    description: 'customer messages on the linked cases, complaints or not',
  }),
  stillBrokenCount: Type.Integer(),
  etaAt: Nullable(Type.String()),
  mergedInto: Nullable(Type.String()),
  baseline: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()], {
    description: 'what the detector compared with: window, observed, expected, p-value',
  }),
  version: Type.Integer({ description: 'changes with every write; send as expectedVersion' }),
});
type ProblemDtoT = Static<typeof ProblemDto>;

/** What a problem holds now: its live links' cases, and the counts read from them. */
interface Held {
  caseIds: string[];
  customers: number;
  messages: number;
}

type Lead = ProblemDtoT['lead'];

function toDto(p: Selectable<ProblemTable>, held: Held | undefined, lead: Lead): ProblemDtoT {
  return {
    id: p.id,
    number: Number(p.number),
    status: p.status as ProblemDtoT['status'],
    kind: p.kind,
    title: p.title,
    topic: p.topic,
    area: readArea(p.area_json ? JSON.parse(p.area_json) : null) ?? NO_AREA,
    detectedAt: iso(p.detected_at)!,
    firstEventAt: iso(p.first_event_at)!,
    lastEventAt: iso(p.last_event_at)!,
    owner: p.owner,
    lead,
    externalRefs: JSON.parse(p.external_refs_json),
    caseIds: held?.caseIds ?? [],
    customerCount: held?.customers ?? 0,
    messageCount: held?.messages ?? 0,
    stillBrokenCount: Number(p.still_broken_count),
    etaAt: iso(p.eta_at),
    mergedInto: p.merged_into,
    baseline: p.baseline_json ? JSON.parse(p.baseline_json) : null,
    version: Number(p.version),
  };
}

/**
 * The problems as shown, their counts read from the links they hold when shown (`heldCounts`),
 * so `customerCount` and `messageCount` always agree with `caseIds`: a merged-away problem shows
 * none, a follow-up on a closed problem's case counts.
 */
export async function toDtos(db: Kysely<DB>, rows: Selectable<ProblemTable>[]) {
  const ids = rows.map((r) => r.id);
  const held = new Map<string, Held>();
  if (ids.length > 0) {
    const counts = await heldCounts(db, ids);
    const links = await db
      .selectFrom('problem_links')
      .select(['problem_id', 'case_id'])
      .where('problem_id', 'in', ids)
      .where('unlinked_at', 'is', null)
      .orderBy('linked_at')
      .execute();
    for (const id of ids)
      held.set(id, { caseIds: [], customers: 0, messages: 0, ...counts.get(id) });
    for (const l of links) held.get(l.problem_id)!.caseIds.push(l.case_id);
  }
  const leads = await teamLeads(db, rows);
  return rows.map((r) => toDto(r, held.get(r.id), leads.get(r.owner_team_id ?? '') ?? null));
}

/** Owner team id → its lead, for the teams owning these problems (an enabled user, or none). */
async function teamLeads(db: Kysely<DB>, rows: Selectable<ProblemTable>[]) {
  const out = new Map<string, NonNullable<Lead>>();
  const teams = [...new Set(rows.flatMap((r) => (r.owner_team_id ? [r.owner_team_id] : [])))];
  if (teams.length === 0) return out;
  const found = await db
    .selectFrom('teams')
    .innerJoin('users', (j) =>
      j
        .onRef('users.id', '=', 'teams.lead_user_id')
        .onRef('users.workspace_id', '=', 'teams.workspace_id'),
    )
    .select(['teams.id as teamId', 'users.id', 'users.name', 'users.email'])
    .where('teams.id', 'in', teams)
    .where('users.disabled_at', 'is', null)
    .execute();
  for (const f of found) out.set(f.teamId, { id: f.id, name: f.name, email: f.email });
  return out;
}
