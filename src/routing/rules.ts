import { type Static, Type } from '@sinclair/typebox';
import { CHANNEL_KINDS } from '../ingest/inbound.schema.js';
import { AppError } from '../platform/errors.js';
import { inCity } from '../triage/area-city-parts.js';
import type { TriageResult } from '../triage/index.js';
import { TOPICS, URGENCY_KINDS } from '../triage/types.js';

const Values = (description: string) =>
  Type.Optional(
    Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 100, description }),
  );

/**
 * A routing rule's conditions. Every condition given must hold (AND); within a list any value
 * may match (OR). Rules are tried by `position`; the first match chooses the queue, else the
 * workspace's default queue.
 */
export const RuleConditions = Type.Object(
  {
    topic: Values(`triage topics: ${TOPICS.join(', ')}`),
    channel: Values(`channel kinds: ${CHANNEL_KINDS.join(', ')}`),
    language: Values('ISO 639-1 codes (two letters)'),
    urgency: Values(`any of these signals: ${URGENCY_KINDS.join(', ')}`),
    complaint: Type.Optional(Type.Boolean()),
    area: Type.Optional(
      Type.Object(
        {
          postalPrefix: Values('postal code prefixes'),
          city: Values('cities'),
          region: Values('regions'),
          country: Values('countries'),
        },
        { additionalProperties: false },
      ),
    ),
    customer: Type.Optional(
      Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]), {
        description: 'customer attributes that must equal these values',
      }),
    ),
  },
  { additionalProperties: false },
);
export type RuleConditions = Static<typeof RuleConditions>;

/**
 * Refuses (400, naming the value) a condition no message can meet: a channel, topic or urgency
 * signal the desk does not have, or a language that is not a two-letter code. A mistyped rule
 * ("twiter", "billling") was stored and silently never matched. Channels, topics and languages
 * match whatever their case, as `matches` compares them; urgency signals as written.
 */
export function checkConditions(c: RuleConditions): void {
  const known = (
    field: 'channel' | 'topic' | 'urgency',
    allowed: readonly string[],
    anyCase: boolean,
  ) => {
    for (const [i, v] of (c[field] ?? []).entries()) {
      const ok = allowed.includes(anyCase ? v.toLowerCase() : v);
      if (!ok)
        throw new AppError(
          'bad_request',
          `conditions/${field}/${i}: unknown ${field} ${JSON.stringify(v)}; one of ${allowed.join(', ')}`,
        );
    }
  };
  known('channel', CHANNEL_KINDS, true);
  known('topic', TOPICS, true);
  known('urgency', URGENCY_KINDS, false);
  for (const [i, v] of (c.language ?? []).entries()) {
    if (!/^[a-z]{2}$/i.test(v))
      throw new AppError(
        'bad_request',
        `conditions/language/${i}: ${JSON.stringify(v)} is not a two-letter ISO 639-1 code (e.g. en, es)`,
      );
  }
}

export interface RoutingFacts {
  channel: string;
  language: string | null;
  triage: TriageResult | null;
  customerAttributes: Record<string, unknown>;
}

export interface CompiledRule {
  id: string;
  queueId: string;
  conditions: RuleConditions;
}

const inList = (list: string[] | undefined, v: string | null | undefined) =>
  !list ||
  list.length === 0 ||
  (v != null && list.some((x) => x.toLowerCase() === v.toLowerCase()));

export function matches(c: RuleConditions, f: RoutingFacts): boolean {
  const t = f.triage;
  if (!inList(c.channel, f.channel)) return false;
  if (!inList(c.language, f.language ?? t?.language)) return false;
  if (!inList(c.topic, t?.topic)) return false;
  if (c.complaint !== undefined && (t?.complaint ?? false) !== c.complaint) return false;
  if (c.urgency?.length && !c.urgency.some((u) => t?.urgency.includes(u as never))) return false;
  if (c.area) {
    const a = t?.area;
    if (c.area.postalPrefix?.length) {
      if (!a?.postalCode) return false;
      const pc = a.postalCode.toUpperCase();
      if (!c.area.postalPrefix.some((p) => pc.startsWith(p.toUpperCase()))) return false;
    }
    // A city takes its parts the ZIP gazetteer names apart (Brooklyn, Flushing in New York), as
    // a problem owner rule's place does (src/problems/place-within.ts).
    if (c.area.city?.length && !(a && c.area.city.some((city) => inCity(a, city)))) return false;
    if (!inList(c.area.region, c.area.region ? a?.region : null)) return false;
    if (!inList(c.area.country, c.area.country ? a?.country : null)) return false;
  }
  if (c.customer) {
    for (const [k, v] of Object.entries(c.customer)) {
      if (f.customerAttributes[k] !== v) return false;
    }
  }
  return true;
}

/** The queue of the first matching rule, or null (then the default queue). */
export function chooseQueue(rules: readonly CompiledRule[], f: RoutingFacts): string | null {
  for (const r of rules) if (matches(r.conditions, f)) return r.queueId;
  return null;
}

/**
 * Surge grouping key: complaints about an outage or the network in one place are one surge
 * (`outage:94110`, `network:san francisco`). Cases with the same key are listed and worked
 * together; the problems engine links their cases to a problem (`problem_links`).
 */
export function groupKeyOf(t: TriageResult | null): string | null {
  if (!t?.complaint) return null;
  if (t.topic !== 'outage' && t.topic !== 'network') return null;
  const place = t.area?.postalCode ?? t.area?.city?.toLowerCase() ?? null;
  return place ? `${t.topic}:${place}` : null;
}
