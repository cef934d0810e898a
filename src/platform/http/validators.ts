import { type Ajv, AjvCompiler, type BuildCompilerFromPool } from '@fastify/ajv-compiler';

/*
 * Two validators, chosen per part of the request. Query strings, path parameters and headers
 * arrive as text, so their validator coerces ("25" → 25, "a" → ["a"]). A JSON body's types are
 * the caller's choice and are checked as sent: coercing them stored an owner rule's
 * {"team": 5} as "5", took a ZIP code sent as the number 94110 as text, turned {"link": "<id>"}
 * into a list of one id, and a null into "" where a string was tried first. (Form bodies, the
 * survey page's, are declared as the strings they are.)
 */

const SHARED = { removeAdditional: false, allErrors: false } as const;

/**
 * `format: 'date-time'` as RFC 3339 (ajv-formats) and readable by `Date.parse`, which every route
 * turns its times into numbers with. RFC 3339 allows what Date.parse answers NaN for: a leap
 * second (`23:59:60Z`) and an offset of hours alone (`+01`). The NaN went on into the database:
 * a 500 (NOT NULL on a promise's due time, PostgreSQL refusing it in a query) or a silently
 * empty answer on SQLite. Checked here once, so every route answers the usual 400 naming the field.
 */
export function readableDateTimes(ajv: Ajv): void {
  const rfc = ajv.formats['date-time'];
  const valid =
    typeof rfc === 'function'
      ? rfc
      : rfc && typeof rfc === 'object' && 'validate' in rfc && typeof rfc.validate === 'function'
        ? (rfc.validate as (s: string) => boolean)
        : undefined;
  ajv.addFormat('date-time', {
    type: 'string',
    validate: (s: string) => (valid ? valid(s) : true) && Number.isFinite(Date.parse(s)),
  });
}

/** Fastify's `schemaController.compilersFactory.buildValidator`. */
export const buildValidator: BuildCompilerFromPool = (externalSchemas, options) => {
  const pool = AjvCompiler();
  const base = options?.mode === 'JTD' ? {} : (options?.customOptions ?? {});
  const plugins = options?.plugins;
  const onCreate = (ajv: Ajv) => {
    options?.onCreate?.(ajv);
    readableDateTimes(ajv);
  };
  const coercing = pool(externalSchemas, {
    plugins,
    onCreate,
    customOptions: { ...base, ...SHARED, coerceTypes: 'array' },
  });
  const exact = pool(externalSchemas, {
    plugins,
    onCreate,
    customOptions: { ...base, ...SHARED, coerceTypes: false },
  });
  return (route) => (route.httpPart === 'body' ? exact(route) : coercing(route));
};
