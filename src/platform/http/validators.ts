import { AjvCompiler, type BuildCompilerFromPool } from '@fastify/ajv-compiler';

/*
 * Two validators, chosen per part of the request. Query strings, path parameters and headers
 * arrive as text, so their validator coerces ("25" → 25, "a" → ["a"]). A JSON body's types are
 * the caller's choice and are checked as sent: coercing them stored an owner rule's
 * {"team": 5} as "5", took a ZIP code sent as the number 94110 as text, turned {"link": "<id>"}
 * into a list of one id, and a null into "" where a string was tried first. (Form bodies, the
 * survey page's, are declared as the strings they are.)
 */

const SHARED = { removeAdditional: false, allErrors: false } as const;

/** Fastify's `schemaController.compilersFactory.buildValidator`. */
export const buildValidator: BuildCompilerFromPool = (externalSchemas, options) => {
  const pool = AjvCompiler();
  const base = options?.mode === 'JTD' ? {} : (options?.customOptions ?? {});
  const plugins = options?.plugins;
  const coercing = pool(externalSchemas, {
    plugins,
    customOptions: { ...base, ...SHARED, coerceTypes: 'array' },
  });
  const exact = pool(externalSchemas, {
    plugins,
    customOptions: { ...base, ...SHARED, coerceTypes: false },
  });
  return (route) => (route.httpPart === 'body' ? exact(route) : coercing(route));
};
