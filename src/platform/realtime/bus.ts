import { EventEmitter } from 'node:events';

/** A change other clients should see live (SSE), e.g. `case.updated` with the case id. */
export interface LiveEvent {
  type: string;
  workspaceId: string;
  data: Record<string, unknown>;
}

/**
 * In-process fan-out of live events to SSE connections. With several nodes on PostgreSQL the
 * same events will travel over LISTEN/NOTIFY; subscribers do not change.
 */
export class LiveBus {
  private readonly emitter = new EventEmitter();
  constructor() {
    this.emitter.setMaxListeners(0);
  }
  publish(event: LiveEvent): void {
    this.emitter.emit('event', event);
  }
  subscribe(fn: (event: LiveEvent) => void): () => void {
    this.emitter.on('event', fn);
    return () => this.emitter.off('event', fn);
  }
}
