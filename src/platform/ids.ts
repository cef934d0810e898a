import { v7 } from 'uuid';

/** Time-ordered ids (UUIDv7): sortable by creation, safe to generate on any node. */
export function newId(): string {
  return v7();
}
