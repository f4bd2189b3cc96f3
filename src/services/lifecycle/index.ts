/** Lifecycle hooks: run by the installation operations that trigger them, atomically with them. */
export { withLifecycle, type Lifecycle } from './lifecycle.ts';
export type { LifecycleIntent, LifecycleRun } from './call.ts';
export { LifecycleConflictError, LifecycleHookFailedError } from './errors.ts';
export { CLOSED, intentOf, migratedConfig } from './intents.ts';
