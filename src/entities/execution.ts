import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { Clip } from './clip.ts';
import { Installation } from './installation.ts';
import { PluginVersion } from './plugin-version.ts';
import { Schedule } from './schedule.ts';
import { User } from './user.ts';

export const EXECUTION_TRIGGERS = ['MANUAL', 'HOOK', 'SCHEDULE'] as const;
export type ExecutionTrigger = (typeof EXECUTION_TRIGGERS)[number];

export const EXECUTION_STATUSES = [
  'QUEUED',
  'RUNNING',
  'SUCCEEDED',
  'FAILED',
  'TIMED_OUT',
  'FUEL_EXHAUSTED',
  'MEMORY_EXCEEDED',
  'REJECTED',
] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

export interface ExecutionLog {
  level: string;
  message: string;
  at: number;
}

/** A KV key a call read and the value it got: base64, or null when the key was absent. */
export interface ExecutionKvRead {
  key: string;
  base64: string | null;
}

/**
 * One outbound HTTP request a call made: what was asked, what came back, and the response as the
 * plugin got it (headers, body in base64 capped for replay; `responseTruncated` when cut).
 */
export interface ExecutionHttpRequest {
  method: string;
  url: string;
  /** 0 when the host refused or failed the request (see errorCode). */
  status: number;
  requestBytes: number;
  responseBytes: number;
  durationMs: number;
  redirects: number;
  errorCode: string | null;
  errorMessage: string | null;
  responseHeaders: Record<string, string>;
  responseBase64: string | null;
  responseTruncated: boolean;
}

export const Execution = defineEntity({
  name: 'Execution',
  tableName: 'executions',
  properties: (p) => ({
    id: p.integer().primary().autoincrement(),
    /** Null once uninstalled: executions are the audit trail and outlive their installation. */
    installation: p.manyToOne(Installation).ref().nullable().deleteRule('set null'),
    /** The installation's owner, who alone sees the execution, also after an uninstall. */
    owner: p.manyToOne(User).ref(),
    version: p.manyToOne(PluginVersion).ref(),
    clip: p.manyToOne(Clip).ref().nullable().deleteRule('set null'),
    /** The schedule that started it (trigger SCHEDULE); null once that schedule is deleted. */
    schedule: p.manyToOne(Schedule).ref().nullable().deleteRule('set null').index(),
    trigger: p.enum([...EXECUTION_TRIGGERS]),
    hook: p.string().length(40).nullable(),
    function: p.string().length(100),
    status: p.enum([...EXECUTION_STATUSES]).default('QUEUED'),
    durationMs: p.float().nullable(),
    fuelUsed: p.double().nullable(),
    peakMemoryBytes: p.integer().nullable(),
    inputSize: p.integer(),
    /** The input, capped at 64 KiB, so the call can be replayed. */
    input: p.text(),
    inputTruncated: p.boolean().default(false),
    outputSize: p.integer().nullable(),
    /** The output byte for byte (a plugin may return anything, NUL bytes and invalid UTF-8 included). */
    output: p.blob().nullable(),
    errorCode: p.string().length(64).nullable(),
    errorMessage: p.text().nullable(),
    logs: p.json<ExecutionLog[]>(),
    logsTruncated: p.boolean().default(false),
    /** What the call read from KV (null: nothing recorded, e.g. a rejected call), capped for replay. */
    kvReads: p.json<ExecutionKvRead[]>().nullable(),
    kvReadsTruncated: p.boolean().default(false),
    /** Outbound HTTP requests in order (null: nothing recorded, e.g. a rejected call). */
    httpRequests: p.json<ExecutionHttpRequest[]>().nullable(),
    /** The server instance running the call, so that a lost instance's RUNNING rows can be completed. */
    instanceId: p.string().length(36).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    finishedAt: p.datetime().nullable(),
  }),
  indexes: [
    { properties: ['installation', 'createdAt'] },
    { properties: ['clip'] },
    { properties: ['owner', 'createdAt'] },
    { properties: ['status', 'instanceId'] },
  ],
});
export type Execution = InferEntity<typeof Execution>;
