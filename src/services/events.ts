import type { PubSub } from 'graphql-yoga';

export type ClipEventType = 'CREATED' | 'UPDATED' | 'DELETED';
export type InstallationEventType =
  | 'INSTALLED'
  | 'UPDATED'
  | 'UPGRADED'
  | 'ROLLED_BACK'
  | 'UNINSTALLED'
  | 'CIRCUIT_CHANGED';
export type ExecutionEventType =
  | 'STARTED'
  | 'LOG'
  | 'EMITTED'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'TIMED_OUT'
  | 'FUEL_EXHAUSTED'
  | 'MEMORY_EXCEEDED'
  | 'REJECTED';

/**
 * Every subscription topic and its payload, in one place. Payloads cross Redis, so they are
 * JSON: ids and serialised snapshots, never live objects.
 */
export interface ClipEventPayload {
  type: ClipEventType;
  clipId: number;
  /** The clip as JSON (dates as ISO strings); for DELETED, as it was before. */
  clip: Record<string, unknown>;
}

export interface InstallationEventPayload {
  type: InstallationEventType;
  installationId: number;
  ownerId: number;
}

export interface ExecutionEventPayload {
  type: ExecutionEventType;
  executionId: number;
  installationId: number;
  ownerId: number;
  log?: { level: string; message: string; at: number };
  /** For EMITTED: an event the plugin published with `emit` (only from calls that succeeded). */
  emitted?: { type: string; data: unknown };
}

export type EventMap = {
  'clip-events': [ownerId: number, payload: ClipEventPayload];
  'installation-events': [ownerId: number, payload: InstallationEventPayload];
  'execution-events': [ownerId: number, payload: ExecutionEventPayload];
  /** A write happened on the instance named by `origin`: cached anonymous reads are stale. */
  'write-epoch': [origin: string];
  /** The API token with this sha256 stopped being valid: subscriptions opened with it end. */
  'token-revoked': [tokenHash: string];
};

export type Events = PubSub<EventMap>;

/** JSON round trip that turns dates into ISO strings, as a subscriber on Redis would see it. */
export function snapshot<T extends object>(record: T): Record<string, unknown> {
  return JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
}
