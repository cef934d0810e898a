import { type TNull, type TSchema, type TUnion, Type } from '@sinclair/typebox';

/**
 * A request field that takes a value or null (to clear it). Null comes first: when bodies were
 * coerced, a value type tried first turned null into "" (or 0, or false) — unassigning a case
 * answered "assigneeId is not an active user". Bodies are validated as sent now
 * (`http/validators.ts`); the order still matters wherever a coercing validator reads one.
 */
export const Nullable = <T extends TSchema>(t: T): TUnion<[TNull, T]> =>
  Type.Union([Type.Null(), t]);
