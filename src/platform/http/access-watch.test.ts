import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { suiteApp } from '../../../test/support/suite.js';
import { LiveBus, type LiveEvent } from '../realtime/bus.js';
import { idFloor, watchAccess } from './access-watch.js';

/**
 * On SQLite a server learns of another process's access changes (the CLI's) from the audit log:
 * each change once, those made before it started watching never (its streams checked them at
 * connect), one committed late (its id older than entries already seen) still, and other
 * actions not at all.
 */
describe('watching the audit log for access changes', () => {
  const t = suiteApp('sqlite');
  /** An id as a writer whose clock read `ms` makes it. */
  const idAt = (ms: number) =>
    `${idFloor(ms).slice(0, 14)}7abc-8def-${randomBytes(6).toString('hex')}`;
  const entry = (action: string, ms: number) =>
    t.app.database.db
      .insertInto('audit_log')
      .values({
        id: idAt(ms),
        workspace_id: t.app.workspace.workspaceId,
        actor_type: 'cli',
        actor_id: 'operator',
        action,
        target: 'someone',
        data_json: '{}',
        created_at: ms,
      })
      .execute();

  it('announces each access change made since it began, once', async () => {
    const now = Date.now();
    await entry('user.disabled', now - 5_000);
    const bus = new LiveBus();
    const heard: LiveEvent[] = [];
    bus.subscribe((e) => heard.push(e));
    const watch = watchAccess({ db: t.app.database.db, bus, everyMs: 3_600_000 });
    try {
      await watch.poll();
      expect(heard).toEqual([]);
      await entry('user.created', now);
      await entry('user.enabled', now);
      await watch.poll();
      expect(heard).toEqual([]);
      // Committed now, but its id was made 20 s ago, before the entry below it was seen.
      await entry('api_token.revoked', now + 1_000);
      await watch.poll();
      await entry('user.role_changed', now - 20_000);
      await watch.poll();
      await watch.poll();
      // Older than the window: left to the streams' own periodic check.
      await entry('user.disabled', now - 120_000);
      await watch.poll();
      expect(heard).toEqual([
        {
          type: 'access.changed',
          workspaceId: t.app.workspace.workspaceId,
          data: { from: 'audit' },
        },
        {
          type: 'access.changed',
          workspaceId: t.app.workspace.workspaceId,
          data: { from: 'audit' },
        },
      ]);
    } finally {
      watch.stop();
    }
  });

  it('makes the least id of a millisecond', () => {
    expect(idFloor(0x0190_abcd_ef12)).toBe('0190abcd-ef12-0000-0000-000000000000');
    const later = idAt(0x0190_abcd_ef12);
    expect(later >= idFloor(0x0190_abcd_ef12) && later < idFloor(0x0190_abcd_ef13)).toBe(true);
  });
});
