import type { TSchema } from '@sinclair/typebox';
import { AppError } from '../platform/errors.js';

/*
 * The server's validator coerces types (`coerceTypes: 'array'` in server.ts): right for query
 * strings, where everything arrives as text, but wrong for a JSON body, where the caller chose
 * the type. An owner rule's {"team": 5} was stored as "5", a ZIP code sent as the number 94110
 * passed as text, and {"link": "<id>"} became a list of one id. The problem write routes check
 * the JSON types of their body against their schema before it is validated (and coerced).
 */

type Json = 'null' | 'array' | 'object' | 'string' | 'number' | 'boolean';

function jsonType(v: unknown): Json {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v as Json;
}

/** Whether a JSON value's type is one the schema's `type` names (a number may be an integer). */
function typeAllowed(declared: unknown, actual: Json): boolean {
  const types = Array.isArray(declared) ? declared : [declared];
  return types.includes(actual) || (actual === 'number' && types.includes('integer'));
}

/** The first place where the value's JSON type is not one the schema allows, or null. */
export function wrongType(schema: TSchema, value: unknown, path: string): string | null {
  const actual = jsonType(value);
  if (Array.isArray(schema.anyOf)) {
    const branches = schema.anyOf as TSchema[];
    const errors = branches.map((s) => wrongType(s, value, path));
    if (errors.includes(null)) return null;
    // The branch of the value's type says what inside it is wrong; else name the types taken.
    const fits = branches.findIndex((b) => b.type !== undefined && typeAllowed(b.type, actual));
    if (fits >= 0) return errors[fits];
    return `${path} must be ${branches.flatMap((b) => [b.type ?? []].flat()).join(' or ')}`;
  }
  if (schema.type === undefined) return null;
  if (!typeAllowed(schema.type, actual))
    return `${path} must be ${[schema.type].flat().join(' or ')}`;
  if (actual === 'array' && schema.items) {
    const items = value as unknown[];
    for (let i = 0; i < items.length; i++) {
      const e = wrongType(schema.items as TSchema, items[i], `${path}/${i}`);
      if (e) return e;
    }
  }
  if (actual === 'object') return wrongField(schema, value as Record<string, unknown>, path);
  return null;
}

/** An object's fields against their schemas (named properties, else a record's value schema). */
function wrongField(schema: TSchema, obj: Record<string, unknown>, path: string): string | null {
  const props = (schema.properties ?? {}) as Record<string, TSchema>;
  const rest = Object.values((schema.patternProperties ?? {}) as Record<string, TSchema>)[0];
  for (const [k, v] of Object.entries(obj)) {
    const s = props[k] ?? rest;
    const e = s ? wrongType(s, v, `${path}/${k}`) : null;
    if (e) return e;
  }
  return null;
}

/** A route's `preValidation` hook: a body field of the wrong JSON type is a 400 naming it. */
export function strictBody(schema: TSchema) {
  return async (req: { body: unknown }) => {
    // No body at all is the validator's to refuse, in its own words.
    if (req.body === undefined) return;
    const e = wrongType(schema, req.body, 'body');
    if (e) throw new AppError('bad_request', `invalid request: ${e}`);
  };
}
