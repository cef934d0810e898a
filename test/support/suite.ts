/**
 * Test helpers that register vitest hooks or assert. Kept out of test/builders.ts, which child
 * processes (test/fixtures/crash-worker.ts) import outside the test runner.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import type { Config } from '../../src/config.js';
import type { Database } from '../../src/platform/db/database.js';
import { type TestApp, testApp } from '../builders.js';
import { type Engine, type FreshDatabase, migratedDatabase } from './engines.js';

/**
 * The suite's app: `testApp(engine, over)` made in beforeAll and closed in afterAll. Its fields
 * read the app of the moment, so a suite uses it as it would the TestApp itself.
 */
export function suiteApp(
  engine: Engine,
  over: Partial<Config> = {},
  deps: Parameters<typeof testApp>[2] = {},
): TestApp {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(engine, over, deps);
  });
  afterAll(async () => {
    await t?.close();
  });
  return {
    get app() {
      return t.app;
    },
    get token() {
      return t.token;
    },
    get auth() {
      return t.auth;
    },
    close: () => t.close(),
  };
}

/** A route the app registers, as the checks over every route read it. */
export interface AppRoute {
  method: string;
  url: string;
  isPublic: boolean;
  /** Left out of the OpenAPI document. */
  hidden: boolean;
}

/**
 * The suite's app on SQLite and every route but HEAD it registers as it starts: for the checks
 * that hold every route to a rule, so that a route added later is held to it too.
 */
export function suiteAppRoutes(): { t: TestApp; routes: AppRoute[] } {
  const routes: AppRoute[] = [];
  const t = suiteApp(
    'sqlite',
    {},
    {
      beforeStart: (app) =>
        app.http.addHook('onRoute', (r) => {
          const hidden = !!(r.schema as { hide?: boolean } | undefined)?.hide;
          for (const method of [r.method].flat())
            if (method !== 'HEAD')
              routes.push({ method, url: r.url, isPublic: !!r.config?.public, hidden });
        }),
    },
  );
  return { t, routes };
}

/**
 * The suite's migrated database of `engine`, without an app: made in beforeAll and cleaned up in
 * afterAll. Tests read `.database` once the suite runs.
 */
export function suiteDatabase(engine: Engine): { readonly database: Database } {
  let fresh: FreshDatabase | undefined;
  beforeAll(async () => {
    fresh = await migratedDatabase(engine);
  });
  afterAll(async () => {
    await fresh?.cleanup();
  });
  return {
    get database() {
      return fresh!.database;
    },
  };
}

/** POSTs as the admin; the answer must be a success; returns its JSON. */
export async function apiPost(t: TestApp, url: string, payload: unknown) {
  const res = await t.app.http.inject({
    method: 'POST',
    url,
    headers: t.auth,
    payload: payload as never,
  });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
}
