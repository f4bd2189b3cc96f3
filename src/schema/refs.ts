import { builder } from './builder.ts';
import { NODE_TYPENAMES, parseRowId } from './ids.ts';
import type {
  ClipRecord,
  ExecutionRecord,
  InstallationRecord,
  PluginRecord,
  PluginVersionRecord,
  ReviewRecord,
  ScheduleRecord,
  SigningKeyRecord,
  UserRecord,
} from '../services/read/index.ts';
import type { ApiTokenRecord } from '../services/api-tokens.ts';

/**
 * A node backed by a table row: `t.arg.globalID({ for: Ref })` checks the ID's typename and
 * parses its id part to the row's integer id with `parseId`.
 */
function rowRef<T>(name: string) {
  NODE_TYPENAMES.add(name);
  return Object.assign(builder.objectRef<T>(name), { parseId: parseRowId });
}

// Declared before they are implemented so that types referring to each other infer cleanly.
export const UserRef = rowRef<UserRecord>('User');
export const PluginRef = rowRef<PluginRecord>('Plugin');
export const PluginVersionRef = rowRef<PluginVersionRecord>('PluginVersion');
export const ReviewRef = rowRef<ReviewRecord>('Review');
export const ClipRef = rowRef<ClipRecord>('Clip');
export const InstallationRef = rowRef<InstallationRecord>('Installation');
export const ExecutionRef = rowRef<ExecutionRecord>('Execution');
export const ApiTokenRef = rowRef<ApiTokenRecord>('ApiToken');
export const SigningKeyRef = rowRef<SigningKeyRecord>('SigningKey');
export const ScheduleRef = rowRef<ScheduleRecord>('Schedule');
