import type { PubSub } from 'graphql-yoga';
import { EXECUTION_STATUSES, type ExecutionStatus } from '../entities/index.ts';

export const CLIP_EVENT_TYPES = ['CREATED', 'UPDATED', 'DELETED'] as const;
export type ClipEventType = (typeof CLIP_EVENT_TYPES)[number];

export const INSTALLATION_EVENT_TYPES = [
  'INSTALLED',
  'UPDATED',
  'UPGRADED',
  'ROLLED_BACK',
  'UNINSTALLED',
  'CIRCUIT_CHANGED',
  'REVOKED',
] as const;
export type InstallationEventType = (typeof INSTALLATION_EVENT_TYPES)[number];

/** Statuses an execution ends in, each also the event that announces it. */
const TERMINAL_STATUSES = EXECUTION_STATUSES.filter(
  (s): s is Exclude<ExecutionStatus, 'QUEUED' | 'RUNNING'> => s !== 'QUEUED' && s !== 'RUNNING',
);
export const EXECUTION_EVENT_TYPES = ['STARTED', 'LOG', 'EMITTED', ...TERMINAL_STATUSES] as const;
export type ExecutionEventType = (typeof EXECUTION_EVENT_TYPES)[number];

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
  /** A version was revoked (the kill switch): every instance stops running it. */
  'version-revoked': [revocation: { versionId: number; reason: string }];
};

export type Events = PubSub<EventMap>;

/** JSON round trip that turns dates into ISO strings, as a subscriber on Redis would see it. */
export function snapshot<T extends object>(record: T): Record<string, unknown> {
  return JSON.parse(JSON.stringify(record)) as Record<string, unknown>;
}

export function publishInstallationEvent(
  events: Events,
  type: InstallationEventType,
  installation: { id: number; ownerId: number },
): void {
  events.publish('installation-events', installation.ownerId, {
    type,
    installationId: installation.id,
    ownerId: installation.ownerId,
  });
}
