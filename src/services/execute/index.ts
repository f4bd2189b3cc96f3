/** Plugin calls: the `executePlugin` use case and the call path hooks share with it. */
export { executePlugin, type ExecutePluginInput } from './execute-plugin.ts';
export { CallBatch } from './batch.ts';
export { newRecord, reportExecution, runCall, runLoadedCall } from './run-call.ts';
export { loadOwnerTargets, type CallTarget } from './target.ts';
export {
  KV_ATTEMPTS,
  PLUGIN_REVOKED,
  STORED_INPUT_BYTES,
  UninstalledDuringCallError,
  type CallOutcome,
  type CallSpec,
} from './types.ts';
