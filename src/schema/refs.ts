import { builder } from './builder.ts';
import type {
  ClipRecord,
  ExecutionRecord,
  InstallationRecord,
  PluginRecord,
  PluginVersionRecord,
  ReviewRecord,
  UserRecord,
} from '../services/read/index.ts';

// Declared before they are implemented so that types referring to each other infer cleanly.
export const UserRef = builder.objectRef<UserRecord>('User');
export const PluginRef = builder.objectRef<PluginRecord>('Plugin');
export const PluginVersionRef = builder.objectRef<PluginVersionRecord>('PluginVersion');
export const ReviewRef = builder.objectRef<ReviewRecord>('Review');
export const ClipRef = builder.objectRef<ClipRecord>('Clip');
export const InstallationRef = builder.objectRef<InstallationRecord>('Installation');
export const ExecutionRef = builder.objectRef<ExecutionRecord>('Execution');
