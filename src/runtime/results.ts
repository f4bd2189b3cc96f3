import type { CallResult, CallStatus, RuntimeErrorCode } from './types.ts';

/** A result with no output, usage or effects: the base every outcome fills in. */
export function emptyResult(): CallResult {
  return {
    status: 'SUCCEEDED',
    error: null,
    output: null,
    fuelUsed: 0,
    peakMemoryBytes: 0,
    durationMs: 0,
    logs: [],
    logsTruncated: false,
    kvWrites: [],
    kvReads: [],
    clipPatches: [],
    events: [],
    httpRequests: [],
  };
}

export function failure(status: Exclude<CallStatus, 'SUCCEEDED'>, code: RuntimeErrorCode, message: string) {
  return { status, error: { code, message } };
}

/** A complete failed result for outcomes decided without running the plugin. */
export function failedResult(
  status: Exclude<CallStatus, 'SUCCEEDED'>,
  code: RuntimeErrorCode,
  message: string,
  durationMs = 0,
): CallResult {
  return { ...emptyResult(), ...failure(status, code, message), durationMs };
}
