import { defineEntity, type InferEntity } from '@mikro-orm/core';

/** Every kind of change the audit trail records; new kinds are appended (the column is plain text). */
export const AUDIT_ACTIONS = [
  'USER_CREATE',
  'PUBLISHER_VERIFY',
  'TOKEN_CREATE',
  'TOKEN_REVOKE',
  'PLUGIN_CREATE',
  'PLUGIN_UPDATE',
  'PLUGIN_FEATURE',
  'VERSION_PUBLISH',
  'VERSION_YANK',
  'VERSION_DEPRECATE',
  'VERSION_REVOKE',
  'INSTALL',
  'PERMISSIONS_GRANT',
  'CONFIG_CHANGE',
  'INSTALLATION_ENABLE',
  'INSTALLATION_DISABLE',
  'INSTALLATION_UPDATE',
  'UPGRADE',
  'ROLLBACK',
  'UNINSTALL',
  'REVIEW_DELETE',
  'SCHEDULE_CREATE',
  'SCHEDULE_PAUSE',
  'SCHEDULE_RESUME',
  'SCHEDULE_DELETE',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AUDIT_SUBJECT_TYPES = ['USER', 'API_TOKEN', 'PLUGIN', 'PLUGIN_VERSION', 'INSTALLATION', 'REVIEW'] as const;
export type AuditSubjectType = (typeof AUDIT_SUBJECT_TYPES)[number];

/**
 * Who did what to what, when, with which token. No foreign keys: an event outlives its actor,
 * token and subject, so it names them by id and by a text snapshot taken when it happened.
 */
export const AuditEvent = defineEntity({
  name: 'AuditEvent',
  tableName: 'audit_events',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    at: p.datetime().onCreate(() => new Date()),
    /** null for the operator's own CLI commands on the database (no user signed in). */
    actorId: p.integer().nullable(),
    actorHandle: p.string().length(40).nullable(),
    /** The API token the action was taken with; null for the CLI and the seed. */
    tokenId: p.integer().nullable(),
    action: p.string().length(40),
    subjectType: p.string().length(40),
    subjectId: p.integer().nullable(),
    /** e.g. `slug@1.2.0`: what the subject was called when this happened. */
    subject: p.string().length(200),
    /** Never secrets: config changes list the keys changed, not their values. */
    details: p.json<Record<string, unknown>>().nullable(),
  }),
  indexes: [
    { properties: ['actorId', 'id'] },
    { properties: ['action', 'id'] },
    { properties: ['subjectType', 'subjectId'] },
  ],
});
export type AuditEvent = InferEntity<typeof AuditEvent>;
