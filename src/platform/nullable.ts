import { type TNull, type TSchema, type TUnion, Type } from '@sinclair/typebox';

/**
 * A request field that takes a value or null (to clear it). Null comes first: the server's
 * validator coerces types (`coerceTypes`), and with the value's type first a null was turned into
 * "" (or 0, or false) before null was tried: unassigning a case answered "assigneeId is not an
 * active user", and a hand-made problem's unknown area fields were stored as "".
 */
export const Nullable = <T extends TSchema>(t: T): TUnion<[TNull, T]> =>
  Type.Union([Type.Null(), t]);
