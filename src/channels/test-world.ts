/**
 * Test helpers for the channel layer's own tests, below the app (tickers, senders): a migrated
 * database with a workspace, and the ChannelDeps channel code takes. Not a test file.
 */
import { randomBytes } from 'node:crypto';
import { type Engine, type FreshDatabase, migratedDatabase } from '../../test/support/engines.js';
import { loadConfig } from '../config.js';
import { classify } from '../triage/index.js';
import { ensureWorkspace } from '../workspace/workspace.service.js';
import type { ChannelDeps } from './routes.js';

/** A migrated database of `engine` and the deps of one workspace on it, on the given clock. */
export async function channelDeps(
  engine: Engine,
  clock: () => number,
): Promise<{ fresh: FreshDatabase; deps: ChannelDeps }> {
  const fresh = await migratedDatabase(engine);
  const ws = await ensureWorkspace(fresh.database.db, clock());
  const deps: ChannelDeps = {
    db: fresh.database.db,
    config: loadConfig({ THROUGHLINE_DATABASE_URL: fresh.url, LOG_LEVEL: 'silent' }),
    workspaceId: ws.workspaceId,
    clock,
    secretKey: randomBytes(32),
    onAppended: () => {},
    classify,
  };
  return { fresh, deps };
}
