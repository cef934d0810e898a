import { EventEmitter } from 'node:events';

/** A change other clients should see live (SSE), e.g. `case.updated` with the case id. */
export interface LiveEvent {
  type: string;
  workspaceId: string;
  data: Record<string, unknown>;
}

/**
 * Fan-out of live events to this node's SSE connections. With several nodes on PostgreSQL a
 * relay (LISTEN/NOTIFY, see cluster.ts) carries each published event to the other nodes, which
 * deliver it with `receive` so it is not relayed again.
 */
export class LiveBus {
  private readonly emitter = new EventEmitter();
  private relay: ((event: LiveEvent) => void) | null = null;

  constructor() {
    this.emitter.setMaxListeners(0);
  }

  setRelay(relay: ((event: LiveEvent) => void) | null): void {
    this.relay = relay;
  }

  publish(event: LiveEvent): void {
    this.emitter.emit('event', event);
    this.relay?.(event);
  }

  /** An event published on another node. */
  receive(event: LiveEvent): void {
    this.emitter.emit('event', event);
  }

  subscribe(fn: (event: LiveEvent) => void): () => void {
    this.emitter.on('event', fn);
    return () => this.emitter.off('event', fn);
  }
}
