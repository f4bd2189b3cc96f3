import { HTTP_PERMISSION_PREFIX, PERMISSIONS, type Permission } from '../abi.ts';
import type { CompiledModule } from '../executor/executor.ts';
import type { InstanceBudget } from '../executor/instance-cache.ts';
import type { HttpChannel } from '../http/helper-thread.ts';
import type { CallLimits, CallRequest, CallResult, CallStatus, HostState, HttpExchange, LogLine } from '../types.ts';

/**
 * Messages between the pool (main thread) and its workers. Tasks and results travel as flat
 * tuples, not objects: structured clone pays per property, and at tens of thousands of calls a
 * second the (de)serialisation on the main thread is the pool's largest cost.
 */

/**
 * One call on the wire. `claim` indexes the worker's shared claim ring; the pool sets it when it
 * sends the task. Read fields through the accessors below, never by position.
 */
export type WireTask = [
  seq: number,
  sha256: string,
  instanceKey: string,
  fn: string,
  input: Uint8Array,
  grants: number,
  limits: LimitsTuple,
  /** null when empty (no config, KV or clip): most calls, and nothing to clone. */
  host: HostState | null,
  liveLogs: boolean,
  claim: number,
  /** The granted `http:` permissions, or null when none (most calls). */
  httpGrants: string[] | null,
];
type LimitsTuple = [
  fuel: number,
  timeoutMs: number,
  maxInputBytes: number,
  maxOutputBytes: number,
  maxLogBytes: number,
  maxKvBytes: number,
];

export const taskSeq = (t: WireTask): number => t[0];
export const taskClaim = (t: WireTask): number => t[9];
export function setTaskClaim(t: WireTask, claim: number): void {
  t[9] = claim;
}

/** A compiled module, sent to a worker with the first task that needs it. */
export type WireModule = CompiledModule;

export type ToWorker = { type: 'run'; modules: WireModule[]; tasks: WireTask[] };

/** One call's result on the wire; `status` -1 means the worker lacked the task's module (it is re-queued). */
export type WireResult = [
  seq: number,
  status: number,
  output: Uint8Array | null,
  fuelUsed: number | null,
  peakMemoryBytes: number,
  durationMs: number,
  /** Everything else, or null when all of it is empty (most calls). */
  extra: WireExtra | null,
];

export const resultSeq = (r: WireResult): number => r[0];
export const resultOutput = (r: WireResult): Uint8Array | null => r[2];
export const lacksModule = (r: WireResult): boolean => r[1] < 0;
type WireExtra = Pick<
  CallResult,
  'error' | 'logs' | 'logsTruncated' | 'kvWrites' | 'kvReads' | 'clipPatches' | 'events' | 'httpRequests'
>;

export type FromWorker =
  | { type: 'ready' }
  | { type: 'results'; results: WireResult[] }
  | { type: 'log'; seq: number; line: LogLine }
  /** Each outbound request as it completes: kept by the pool for a call its deadline stops. */
  | { type: 'http'; seq: number; exchange: HttpExchange };

/** Claim ring states: the worker claims a task before running it; the pool may steal it first. */
export const CLAIM_PENDING = 0;
export const CLAIM_STARTED = 1;
export const CLAIM_STOLEN = 2;

/** Slots of the Float64Array a worker publishes its state in, read by the pool without a message. */
export const STATE_RUNNING_SEQ = 0;
/** Start of the running task, in epoch ms: deadlines are timed from it. */
export const STATE_STARTED_AT = 1;
export const STATE_INSTANCES = 2;
export const STATE_INSTANCE_BYTES = 3;
export const STATE_LENGTH = 4;

export interface WorkerData {
  /** Float64Array(STATE_LENGTH), indexed by the STATE_* constants; running seq is -1 between tasks. */
  state: SharedArrayBuffer;
  /** Int32Array ring of claim states, indexed by a task's claim. */
  claims: SharedArrayBuffer;
  instances: InstanceBudget;
  /** The worker's line to the runtime's HTTP helper thread. */
  http: HttpChannel;
}

const STATUSES: CallStatus[] = ['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'FUEL_EXHAUSTED', 'MEMORY_EXCEEDED'];

export function grantsMask(grants: readonly string[]): number {
  let mask = 0;
  for (const g of grants) {
    const i = PERMISSIONS.indexOf(g as Permission);
    if (i >= 0) mask |= 1 << i;
  }
  return mask;
}

export function grantsFromMask(mask: number): Permission[] {
  return PERMISSIONS.filter((_, i) => mask & (1 << i));
}

/** The wire form of a call whose module and limits are settled. */
export function encodeTask(seq: number, sha256: string, req: CallRequest, limits: CallLimits): WireTask {
  // Never ship a view's whole backing buffer (a pooled Buffer holds other data) to a worker.
  const input =
    req.input.byteOffset === 0 && req.input.byteLength === req.input.buffer.byteLength ? req.input : req.input.slice();
  const host = isEmptyHost(req.host) ? null : req.host;
  return [
    seq,
    sha256,
    req.instanceKey,
    req.function,
    input,
    grantsMask(req.grants),
    limitsTuple(limits),
    host,
    !!req.onLog,
    0,
    httpGrants(req.grants),
  ];
}

function httpGrants(grants: readonly string[]): string[] | null {
  let out: string[] | null = null;
  for (const g of grants) {
    if (!g.startsWith(HTTP_PERMISSION_PREFIX)) continue;
    out ??= [];
    out.push(g);
  }
  return out;
}

function limitsTuple(l: CallLimits): LimitsTuple {
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

function isEmptyHost(h: HostState): boolean {
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
    r.events.length === 0 &&
    r.httpRequests.length === 0;
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
        httpRequests: r.httpRequests,
      };
  return [seq, STATUSES.indexOf(r.status), r.output, r.fuelUsed, r.peakMemoryBytes, r.durationMs, extra];
}

export function decodeResult(w: WireResult): CallResult {
  const [, status, output, fuelUsed, peakMemoryBytes, durationMs, x] = w;
  return {
    status: STATUSES[status],
    error: x ? x.error : null,
    output,
    fuelUsed,
    peakMemoryBytes,
    durationMs,
    logs: x ? x.logs : [],
    logsTruncated: x ? x.logsTruncated : false,
    kvWrites: x ? x.kvWrites : [],
    kvReads: x ? x.kvReads : [],
    clipPatches: x ? x.clipPatches : [],
    events: x ? x.events : [],
    httpRequests: x ? x.httpRequests : [],
  };
}
