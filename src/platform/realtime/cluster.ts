import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import pg from 'pg';
import type { Logger } from 'pino';
import type { Database } from '../db/database.js';
import type { LiveBus, LiveEvent } from './bus.js';

const INBOUND = 'throughline_inbound';
const OUTBOX = 'throughline_outbox';
const LIVE = 'throughline_live';
// PostgreSQL caps a NOTIFY payload at 8000 bytes; larger live events are not relayed (clients
// re-read on the next event or poll).
const MAX_PAYLOAD = 7900;

/** Cross-node signals: wake workers on other nodes and relay live events to their SSE clients. */
export interface ClusterSignals {
  inbound(): void;
  outbox(): void;
  stop(): Promise<void>;
}

const NOOP: ClusterSignals = { inbound() {}, outbox() {}, async stop() {} };

export interface ClusterHandlers {
  onInbound: () => void;
  onOutbox: () => void;
}

/**
 * On PostgreSQL, one dedicated connection LISTENs for the other nodes' signals (reconnecting with
 * a pause if it drops), and signals go out with pg_notify through the pool. On SQLite there is a
 * single node and this does nothing.
 */
export async function startClusterSignals(
  database: Database,
  bus: LiveBus,
  handlers: ClusterHandlers,
  logger?: Logger,
): Promise<ClusterSignals> {
  if (!database.caps.listenNotify || !database.connectionString) return NOOP;
  const node = randomBytes(6).toString('hex');
  const url = database.connectionString;
  let client: pg.Client | null = null;
  let stopped = false;
  let retry: NodeJS.Timeout | null = null;

  const connect = async () => {
    const c = new pg.Client({ connectionString: url });
    c.on('notification', (n) => {
      if (n.channel === INBOUND) handlers.onInbound();
      else if (n.channel === OUTBOX) handlers.onOutbox();
      else if (n.channel === LIVE && n.payload) {
        try {
          const msg = JSON.parse(n.payload) as { node: string; events: LiveEvent[] };
          if (msg.node !== node) for (const e of msg.events) bus.receive(e);
        } catch {
          // A malformed payload is someone else's bug; ignore it rather than crash the listener.
        }
      }
    });
    const reconnect = () => {
      if (stopped || retry) return;
      client = null;
      retry = setTimeout(() => {
        retry = null;
        connect().catch(() => reconnect());
      }, 1000);
    };
    c.on('error', (err) => {
      logger?.warn({ err: err.message }, 'cluster listener lost its connection');
      reconnect();
    });
    c.on('end', reconnect);
    await c.connect();
    await c.query(`listen ${INBOUND}; listen ${OUTBOX}; listen ${LIVE}`);
    client = c;
  };
  await connect();

  // Every NOTIFY of one flush goes in one statement: one round trip and one commit (each commit
  // that notified takes the cluster-wide notify lock) instead of one per signal or pack. The
  // server folds identical (channel, payload) pairs of one transaction into one delivery, so each
  // pack of live events carries a sequence number of its own.
  const notifyAll = async (signals: [channel: string, payload: string][]) => {
    if (signals.length === 0) return;
    const calls = signals.map(([channel, payload]) => sql`pg_notify(${channel}, ${payload})`);
    await sql`select ${sql.join(calls)}`
      .execute(database.db)
      .catch((err: Error) => logger?.warn({ err: err.message }, 'pg_notify failed'));
  };

  // NOTIFY serialises on a cluster-wide lock at commit, so one per live event (a batch touches
  // hundreds of cases) starves the pool. Signals and events are coalesced for a few
  // milliseconds and sent as a handful of NOTIFYs, events packed into payloads under the cap.
  let pendingInbound = false;
  let pendingOutbox = false;
  let pendingEvents: LiveEvent[] = [];
  let packs = 0;
  let flushTimer: NodeJS.Timeout | null = null;
  /** NOTIFYs not yet answered: `stop` waits for them, so none meets a closed pool. */
  const inFlight = new Set<Promise<void>>();
  const flush = () => {
    flushTimer = null;
    const out: [string, string][] = [];
    if (pendingInbound) out.push([INBOUND, node]);
    if (pendingOutbox) out.push([OUTBOX, node]);
    pendingInbound = false;
    pendingOutbox = false;
    let pack: string[] = [];
    let size = 0;
    const send = () => {
      if (pack.length > 0)
        out.push([LIVE, `{"node":"${node}","pack":${++packs},"events":[${pack.join(',')}]}`]);
      pack = [];
      size = 0;
    };
    for (const e of pendingEvents) {
      const json = JSON.stringify(e);
      // The cap is in bytes: one pack over it would fail the whole statement, signals included.
      const bytes = Buffer.byteLength(json);
      if (bytes > MAX_PAYLOAD - 64) continue;
      if (size + bytes + 1 > MAX_PAYLOAD - 64) send();
      pack.push(json);
      size += bytes + 1;
    }
    send();
    pendingEvents = [];
    const sent = notifyAll(out);
    inFlight.add(sent);
    void sent.finally(() => inFlight.delete(sent));
  };
  const schedule = () => {
    if (!flushTimer && !stopped) flushTimer = setTimeout(flush, 5);
  };
  bus.setRelay((event) => {
    pendingEvents.push(event);
    schedule();
  });

  return {
    inbound: () => {
      pendingInbound = true;
      schedule();
    },
    outbox: () => {
      pendingOutbox = true;
      schedule();
    },
    async stop() {
      // What is pending goes out, and is sent before the pool closes: a CLI command's one event
      // (access.commands.ts) is published just before its app closes.
      if (flushTimer) {
        clearTimeout(flushTimer);
        flush();
      }
      await Promise.all(inFlight);
      stopped = true;
      bus.setRelay(null);
      if (retry) clearTimeout(retry);
      await (client as pg.Client | null)?.end().catch(() => {});
    },
  };
}
