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
export function suiteApp(engine: Engine, over: Partial<Config> = {}): TestApp {
  let t: TestApp;
  beforeAll(async () => {
    t = await testApp(engine, over);
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
