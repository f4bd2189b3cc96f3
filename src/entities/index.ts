export { ApiToken, TOKEN_SCOPES, type TokenScope } from './api-token.ts';
export {
  AuditEvent,
  AUDIT_ACTIONS,
  AUDIT_SUBJECT_TYPES,
  type AuditAction,
  type AuditSubjectType,
} from './audit-event.ts';
export { Blob } from './blob.ts';
export { Clip, CLIP_STATUSES, type ClipStatus } from './clip.ts';
export {
  Execution,
  EXECUTION_STATUSES,
  EXECUTION_TRIGGERS,
  type ExecutionStatus,
  type ExecutionTrigger,
} from './execution.ts';
export { ExecutionStat, STAT_KINDS, type StatKind } from './execution-stat.ts';
export { Instance } from './instance.ts';
export { Installation, CIRCUIT_STATES, CRITICALITIES, type CircuitState, type Criticality } from './installation.ts';
export { KvEntry } from './kv-entry.ts';
export { Plugin, nameSortKey } from './plugin.ts';
export { PluginVersion } from './plugin-version.ts';
export { Review, ReviewVote } from './review.ts';
export { Schedule } from './schedule.ts';
export { Setting } from './setting.ts';
export { SigningKey } from './signing-key.ts';
export { User, ROLES, type Role } from './user.ts';

import { ApiToken } from './api-token.ts';
import { AuditEvent } from './audit-event.ts';
import { Blob } from './blob.ts';
import { Clip } from './clip.ts';
import { Execution } from './execution.ts';
import { ExecutionStat } from './execution-stat.ts';
import { Installation } from './installation.ts';
import { Instance } from './instance.ts';
import { KvEntry } from './kv-entry.ts';
import { Plugin } from './plugin.ts';
import { PluginVersion } from './plugin-version.ts';
import { Review, ReviewVote } from './review.ts';
import { Schedule } from './schedule.ts';
import { Setting } from './setting.ts';
import { SigningKey } from './signing-key.ts';
import { User } from './user.ts';

export const ALL_ENTITIES = [
  User,
  ApiToken,
  Plugin,
  PluginVersion,
  Blob,
  Installation,
  Review,
  ReviewVote,
  Clip,
  Execution,
  ExecutionStat,
  KvEntry,
  Setting,
  Instance,
  AuditEvent,
  SigningKey,
  Schedule,
];
