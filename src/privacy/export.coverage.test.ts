import { readFileSync } from 'node:fs';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { aMessage } from '../../test/builders.js';
import { ENGINES } from '../../test/support/engines.js';
import { suiteApp } from '../../test/support/suite.js';
import { caseEvent } from '../cases/case.store.js';
import { careWorld } from '../cases/test-world.js';
import { saveSuggestions } from '../customers/suggestions.js';
import type { InboundMessage } from '../ingest/inbound.schema.js';
import { newId } from '../platform/ids.js';
import { REPUTATION_FOLLOWERS } from '../routing/reputation.js';
import { EXPORTED_TABLES, NOT_EXPORTED } from './export.js';

/** Every table erasure writes to (its source, and that of the helpers it runs). */
const ERASURE_SOURCES = [
  'erase.ts',
  'scrub.ts',
  'erase-edits.ts',
  'erase-mentions.ts',
  'merged-away.ts',
  'retention.ts',
];
const erasedTables = () => {
  const found = new Set<string>();
  for (const f of ERASURE_SOURCES) {
    const src = readFileSync(new URL(f, import.meta.url), 'utf8');
    for (const m of src.matchAll(/(?:updateTable|deleteFrom)\('([a-z_]+)'\)/g)) found.add(m[1]);
  }
  return found;
};

describe('the data-subject export covers what erasure treats as personal', () => {
  it('lists every table erasure writes to, as a section of the export or with a reason', () => {
    const tables = erasedTables();
    expect(tables.size).toBeGreaterThan(10);
    for (const table of tables)
      expect(table in EXPORTED_TABLES || table in NOT_EXPORTED, table).toBe(true);
  });
});

/**
 * The same, on data: every marker text that erasure removes from any table was in the export
 * taken just before. The markers sit in each kind of record people write about a customer.
 */
describe.each(ENGINES)('export against erasure, row by row, on %s', (engine) => {
  const t = suiteApp(engine);
  const { db, api, ingest, idsOf } = careWorld(() => t);
  const ws = () => t.app.workspace.workspaceId;
  const of = (m: InboundMessage) => idsOf(m.externalId);

  /** Table → the markers (`ZQ` + capitals) found anywhere in its rows. */
  const markersByTable = async () => {
    const out = new Map<string, Set<string>>();
    for (const table of await db().introspection.getTables()) {
      if (table.name.startsWith('kysely_')) continue;
      const rows = await sql<
        Record<string, unknown>
      >`select * from ${sql.table(table.name)}`.execute(db());
      const found = new Set(JSON.stringify(rows.rows).match(/ZQ[A-Z]+/g) ?? []);
      if (found.size) out.set(table.name, found);
    }
    return out;
  };

  it('holds every marker erasure removes', async () => {
    const post = aMessage({
      channel: 'x',
      visibility: 'public',
      author: {
        id: 'x-zq1',
        handle: 'zqhandle',
        name: 'Zelda',
        followers: REPUTATION_FOLLOWERS * 5,
      },
      text: 'ZQPOST the outage again',
    });
    const sms = aMessage({
      channel: 'sms',
      visibility: 'private',
      author: { id: '+14155550161' },
      text: 'ZQSMS it is me again',
    });
    await ingest(post, sms);
    const x = await of(post);
    const s = await of(sms);
    const zelda = x.customer_id!;
    const changed = await api('PATCH', `/api/v1/cases/${x.case_id}`, {
      status: 'pending',
      statusReason: 'customer',
      reason: 'ZQWHY waiting for Zelda',
    });
    expect(changed.statusCode, changed.body).toBe(200);
    await caseEvent(
      db(),
      ws(),
      x.case_id!,
      { type: 'system', id: 'scheduler' },
      'apology_suggested',
      { text: 'ZQAPOLOGY dear Zelda' },
      Date.now(),
    );
    expect(
      (await api('POST', `/api/v1/cases/${x.case_id}/notes`, { body: 'ZQNOTE call her' }))
        .statusCode,
    ).toBe(201);
    await saveSuggestions(
      db(),
      ws(),
      [
        {
          customerA: zelda,
          customerB: s.customer_id!,
          kind: 'name_and_area',
          score: 0.6,
          evidence: { name: 'ZQSUGGEST Zelda' },
        },
      ],
      Date.now(),
    );
    await db()
      .insertInto('message_edits')
      .values({
        id: newId(),
        workspace_id: ws(),
        channel: 'x',
        edit_key: `key-${newId()}`,
        prior_ids: post.externalId,
        new_external_id: null,
        text: 'ZQEDIT the outage, edited',
        at: Date.now(),
        created_at: Date.now(),
        applied_at: null,
      })
      .execute();
    const merged = await api('POST', `/api/v1/customers/${zelda}/merge`, {
      customerId: s.customer_id,
      reason: 'ZQREASON same person, Zelda said so',
    });
    expect(merged.statusCode, merged.body).toBe(201);

    const exported = await api('GET', `/api/v1/customers/${zelda}/export`);
    expect(exported.statusCode, exported.body).toBe(200);
    const doc = exported.json();
    for (const key of Object.values(EXPORTED_TABLES)) expect(doc, key).toHaveProperty(key);
    const before = await markersByTable();
    expect(
      (await api('POST', `/api/v1/customers/${zelda}/erase`, { confirm: true })).statusCode,
    ).toBe(200);
    const after = await markersByTable();
    const removed: string[] = [];
    for (const [table, markers] of before) {
      for (const marker of markers) {
        if (after.get(table)?.has(marker)) continue;
        removed.push(`${table}:${marker}`);
        expect(exported.body, `${table} held ${marker}`).toContain(marker);
      }
    }
    // The scenario reaches the records the export once left out.
    expect(removed).toEqual(
      expect.arrayContaining([
        'case_events:ZQWHY',
        'case_events:ZQAPOLOGY',
        'case_events:ZQREASON',
        'customer_merges:ZQREASON',
        'reputation_alerts:ZQPOST',
        'match_suggestions:ZQSUGGEST',
        'message_edits:ZQEDIT',
      ]),
    );
    expect(doc.merges[0]).toMatchObject({ reason: 'ZQREASON same person, Zelda said so' });
    expect(doc.reputationAlerts[0]).toMatchObject({ followers: REPUTATION_FOLLOWERS * 5 });
    expect(doc.audit.map((a: { action: string }) => a.action)).toContain('customer.merge');
  });
});
