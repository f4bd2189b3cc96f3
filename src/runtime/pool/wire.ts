import { PERMISSIONS, type Permission } from '../abi.ts';
import type { CallLimits, CallResult, CallStatus, HostState, LogLine } from '../types.ts';

/**
 * Messages between the pool (main thread) and its workers. Tasks and results travel as flat
 * tuples, not objects: structured clone pays per property, and at tens of thousands of calls a
 * second the (de)serialisation on the main thread is the pool's largest cost.
 */

/**
 * [seq, sha256, instanceKey, function, input, grants bitmask, limits, host or null when empty,
 * live logs, claim slot]. The claim slot indexes the worker's shared claim ring (set by the pool
 * when it sends the task).
 */
export type WireTask = [
  number,
  string,
  string,
  string,
  Uint8Array,
  number,
  LimitsTuple,
  HostState | null,
  boolean,
  number,
];
type LimitsTuple = [number, number, number, number, number, number];

export interface WireModule {
  sha256: string;
  module: WebAssembly.Module;
  memoryMaxPages: number;
}

export type ToWorker = { type: 'run'; modules: WireModule[]; tasks: WireTask[] };

/**
 * [seq, status, output, fuelUsed, peakMemoryBytes, durationMs, everything else or null when empty].
 * status -1 means the worker lacked the task's module (a pool bug; the task is re-queued).
 */
export type WireResult = [number, number, Uint8Array | null, number, number, number, WireExtra | null];
type WireExtra = Pick<
  CallResult,
  'error' | 'logs' | 'logsTruncated' | 'kvWrites' | 'kvReads' | 'clipPatches' | 'events'
>;

export type FromWorker =
  | { type: 'ready' }
  | { type: 'results'; results: WireResult[] }
  | { type: 'log'; seq: number; line: LogLine };

/** Claim ring states: the worker claims a task before running it; the pool may steal it first. */
export const CLAIM_PENDING = 0;
export const CLAIM_STARTED = 1;
export const CLAIM_STOLEN = 2;

export interface WorkerData {
  /** Float64Array(2): [seq of the running task or -1, its start time in epoch ms]. */
  state: SharedArrayBuffer;
  /** Int32Array ring of claim states, indexed by `WireTask[9]`. */
  claims: SharedArrayBuffer;
  maxInstances: number;
}

const STATUSES: CallStatus[] = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'FUEL_EXHAUSTED', 'MEMORY_EXCEEDED'];

export function grantsMask(grants: readonly Permission[]): number {
  let mask = 0;
  for (const g of grants) {
    const i = PERMISSIONS.indexOf(g);
    if (i >= 0) mask |= 1 << i;
  }
  return mask;
}

export function grantsFromMask(mask: number): Permission[] {
  return PERMISSIONS.filter((_, i) => mask & (1 << i));
}

export function limitsTuple(l: CallLimits): LimitsTuple {
  return [l.fuel, l.timeoutMs, l.maxInputBytes, l.maxOutputBytes, l.maxLogBytes, l.maxKvBytes];
}

export function limitsFromTuple(t: LimitsTuple): CallLimits {
  return {
    fuel: t[0],
    timeoutMs: t[1],
    maxInputBytes: t[2],
    maxOutputBytes: t[3],
    maxLogBytes: t[4],
    maxKvBytes: t[5],
  };
}

export function isEmptyHost(h: HostState): boolean {
  if (h.clip !== null || h.kv.size > 0) return false;
  for (const _ in h.config) return false;
  return true;
}

export function encodeResult(seq: number, r: CallResult | null): WireResult {
  if (!r) return [seq, -1, null, 0, 0, 0, null];
  const plain =
    r.error === null &&
    r.logs.length === 0 &&
    r.kvWrites.length === 0 &&
    r.kvReads.length === 0 &&
    r.clipPatches.length === 0 &&
    r.events.length === 0;
  const extra = plain
    ? null
    : {
        error: r.error,
        logs: r.logs,
        logsTruncated: r.logsTruncated,
        kvWrites: r.kvWrites,
        kvReads: r.kvReads,
        clipPatches: r.clipPatches,
        events: r.events,
      };
  return [seq, STATUSES.indexOf(r.status), r.output, r.fuelUsed, r.peakMemoryBytes, r.durationMs, extra];
}

export function decodeResult(w: WireResult): CallResult {
  const x = w[6];
  return {
    status: STATUSES[w[1]],
    error: x ? x.error : null,
    output: w[2],
    fuelUsed: w[3],
    peakMemoryBytes: w[4],
    durationMs: w[5],
    logs: x ? x.logs : [],
    logsTruncated: x ? x.logsTruncated : false,
    kvWrites: x ? x.kvWrites : [],
    kvReads: x ? x.kvReads : [],
    clipPatches: x ? x.clipPatches : [],
    events: x ? x.events : [],
  };
}
