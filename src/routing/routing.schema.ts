/** Request shapes the routing routes share. */
import { Type } from '@sinclair/typebox';

export const Id = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export const Mode = Type.Union([
  Type.Literal('manual'),
  Type.Literal('round_robin'),
  Type.Literal('load_balanced'),
]);
export const Skills = Type.Object(
  {
    languages: Type.Optional(Type.Array(Type.String())),
    topics: Type.Optional(Type.Array(Type.String())),
  },
  { additionalProperties: false },
);
/** Routes that change routing are for admins and supervisors. */
export const admin = { roles: ['admin' as const, 'supervisor' as const] };
