import { encodeGlobalID } from '@pothos/plugin-relay';
import { pipe, filter as filterIterator, Repeater } from 'graphql-yoga';
import { EXECUTION_STATUSES, EXECUTION_TRIGGERS } from '../../entities/index.ts';
import type { ExecutionHttpRequest } from '../../entities/execution.ts';
import { EXECUTION_EVENT_TYPES, type ExecutionEventPayload } from '../../services/events.ts';
import { executePlugin } from '../../services/execute/index.ts';
import { listExecutions } from '../../services/read/index.ts';
import type { ExecutionRecord } from '../../services/read/index.ts';
import { writes } from '../auth.ts';
import { builder } from '../builder.ts';
import { toConnection } from '../connection.ts';
import type { Context } from '../context.ts';
import { parseRowId } from '../ids.ts';
import { ClipRef, ExecutionRef, InstallationRef, PluginVersionRef, ScheduleRef } from '../refs.ts';

export const ExecutionStatusEnum = builder.enumType('ExecutionStatus', { values: EXECUTION_STATUSES });
const ExecutionTriggerEnum = builder.enumType('ExecutionTrigger', { values: EXECUTION_TRIGGERS });
const ExecutionEventTypeEnum = builder.enumType('ExecutionEventType', { values: EXECUTION_EVENT_TYPES });

const LogLineRef = builder.objectRef<{ level: string; message: string; at: number }>('LogLine').implement({
  fields: (t) => ({
    level: t.exposeString('level', { description: 'debug, info, warn or error' }),
    message: t.exposeString('message'),
    at: t.exposeFloat('at', { description: 'Milliseconds since the call started' }),
  }),
});

const utf8 = new TextDecoder('utf-8', { fatal: true });

const HttpRequestRef = builder.objectRef<ExecutionHttpRequest>('ExecutionHttpRequest').implement({
  description: 'An outbound HTTP request the call made (performed by the host), with what it got',
  fields: (t) => ({
    method: t.exposeString('method'),
    url: t.exposeString('url'),
    status: t.exposeInt('status', { description: 'HTTP status; 0 when the host refused or failed the request' }),
    requestBytes: t.exposeInt('requestBytes'),
    responseBytes: t.exposeInt('responseBytes'),
    durationMs: t.exposeFloat('durationMs'),
    redirects: t.exposeInt('redirects', { description: 'Redirects followed (each hop re-checked)' }),
    errorCode: t.exposeString('errorCode', {
      nullable: true,
      description:
        'HTTP_HOST_NOT_GRANTED, HTTP_ADDRESS_REFUSED, HTTP_TOO_MANY_REQUESTS, HTTP_RESPONSE_TOO_LARGE, HTTP_REQUEST_TOO_LARGE, HTTP_TOO_MANY_REDIRECTS, HTTP_TIMEOUT, HTTP_INVALID_REQUEST or HTTP_FAILED',
    }),
    errorMessage: t.exposeString('errorMessage', { nullable: true }),
    responseHeaders: t.field({ type: 'JSON', resolve: (r) => r.responseHeaders }),
    responseBase64: t.exposeString('responseBase64', {
      nullable: true,
      description: 'The response body as the plugin got it, base64 (kept up to 64 KiB, 256 KiB per call), for replay',
    }),
    responseTruncated: t.exposeBoolean('responseTruncated', {
      description: 'responseBase64 holds only the start of the body',
    }),
  }),
});

const KvReadRef = builder.objectRef<{ key: string; base64: string | null }>('KvRead').implement({
  description: 'A KV key the call read and the value it got, so the call can be replayed',
  fields: (t) => ({
    key: t.exposeString('key'),
    base64: t.exposeString('base64', {
      nullable: true,
      description: 'The value as stored; null when the key was absent',
    }),
    text: t.string({
      nullable: true,
      description: 'The value as UTF-8 text; null when absent or not valid UTF-8',
      resolve: ({ base64 }) => {
        if (base64 === null) return null;
        try {
          return utf8.decode(Buffer.from(base64, 'base64'));
        } catch {
          return null;
        }
      },
    }),
  }),
});

/** Executions are visible to the owner of their installation only, also after it was uninstalled. */
function visible(ctx: Context, e: ExecutionRecord | null): ExecutionRecord | null {
  return e && ctx.viewer && e.ownerId === ctx.viewer.id ? e : null;
}

/** The output as text when it is valid UTF-8 (NUL bytes included), else null. */
function outputText(bytes: Uint8Array | null): string | null {
  if (bytes === null) return null;
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

builder.node(ExecutionRef, {
  description: 'One plugin call, manual or triggered by a hook or a schedule, with its outcome and usage',
  id: { resolve: (e) => e.id, parse: parseRowId },
  loadMany: (ids, ctx) => ids.map(async (id) => visible(ctx, await ctx.loaders.execution.load(id))),
  fields: (t) => ({
    installation: t.field({
      type: InstallationRef,
      nullable: true,
      description: 'Null once uninstalled: executions are kept as the audit trail',
      resolve: (e, _a, ctx) => (e.installationId === null ? null : ctx.loaders.installation.load(e.installationId)),
    }),
    version: t.field({
      type: PluginVersionRef,
      resolve: async (e, _a, ctx) => (await ctx.loaders.version.load(e.versionId))!,
    }),
    clip: t.field({
      type: ClipRef,
      nullable: true,
      resolve: (e, _a, ctx) => (e.clipId ? ctx.loaders.clip.load(e.clipId) : null),
    }),
    clipId: t.globalID({
      nullable: true,
      description:
        'Global ID of its clip, also while `clip` is still null: a clip.captured hook runs before its clip is readable',
      resolve: (e) => (e.clipId ? { type: 'Clip', id: e.clipId } : null),
    }),
    trigger: t.expose('trigger', { type: ExecutionTriggerEnum }),
    hook: t.exposeString('hook', { nullable: true }),
    function: t.exposeString('function'),
    status: t.expose('status', { type: ExecutionStatusEnum }),
    durationMs: t.exposeFloat('durationMs', { nullable: true }),
    fuelUsed: t.exposeFloat('fuelUsed', { nullable: true, description: 'Instruction budget units the call consumed' }),
    peakMemoryBytes: t.exposeFloat('peakMemoryBytes', { nullable: true }),
    inputSize: t.exposeInt('inputSize'),
    input: t.exposeString('input', {
      description: 'The input as sent, capped at 64 KiB (see inputTruncated), for replay',
    }),
    inputTruncated: t.exposeBoolean('inputTruncated'),
    outputSize: t.exposeInt('outputSize', { nullable: true, description: 'Bytes of output, exactly' }),
    output: t.string({
      nullable: true,
      description:
        'The output as text; null when there is none or it is not valid UTF-8 (outputBase64 always has the bytes)',
      resolve: (e) => outputText(e.output),
    }),
    outputBase64: t.string({
      nullable: true,
      description: 'The output byte for byte, base64-encoded, whatever the plugin returned; null when there is none',
      resolve: (e) => (e.output === null ? null : Buffer.from(e.output).toString('base64')),
    }),
    errorCode: t.exposeString('errorCode', { nullable: true }),
    errorMessage: t.exposeString('errorMessage', { nullable: true }),
    logs: t.field({ type: [LogLineRef], resolve: (e) => e.logs }),
    logsTruncated: t.exposeBoolean('logsTruncated'),
    kvReads: t.field({
      type: [KvReadRef],
      nullable: true,
      description:
        'Keys the call read from its KV store, first read of each, as it read them (capped at 64 KiB; null when not recorded)',
      resolve: (e) => e.kvReads,
    }),
    kvReadsTruncated: t.exposeBoolean('kvReadsTruncated', {
      description: 'Some reads were left out of kvReads to respect its cap',
    }),
    httpRequests: t.field({
      type: [HttpRequestRef],
      nullable: true,
      description: 'Outbound HTTP requests the call made, in order (null when it made none or was not run)',
      resolve: (e) => e.httpRequests,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', nullable: true }),
  }),
});

const ExecutionFilter = builder.inputType('ExecutionFilter', {
  fields: (t) => ({
    installationId: t.globalID({ for: InstallationRef }),
    status: t.field({ type: ExecutionStatusEnum }),
    trigger: t.field({ type: ExecutionTriggerEnum }),
    clipId: t.globalID({ for: ClipRef }),
    scheduleId: t.globalID({ for: ScheduleRef, description: 'Runs of one schedule' }),
  }),
});

builder.queryFields((t) => ({
  executions: t.connection({
    type: ExecutionRef,
    description: "Executions of the viewer's installations, newest first",
    authScopes: { signedIn: true },
    args: { filter: t.arg({ type: ExecutionFilter }) },
    resolve: async (_root, args, ctx) => {
      const f = args.filter ?? {};
      const filter = {
        installationId: f.installationId?.id ?? null,
        clipId: f.clipId?.id ?? null,
        scheduleId: f.scheduleId?.id ?? null,
        status: f.status,
        trigger: f.trigger,
      };
      return toConnection(await listExecutions(ctx.em, ctx.viewer!.id, filter, args));
    },
  }),
  execution: t.field({
    type: ExecutionRef,
    nullable: true,
    authScopes: { signedIn: true },
    args: { id: t.arg.globalID({ required: true, for: ExecutionRef }) },
    resolve: async (_root, { id }, ctx) => visible(ctx, await ctx.loaders.execution.load(id.id)),
  }),
}));

const ExecutePluginInput = builder.inputType('ExecutePluginInput', {
  fields: (t) => ({
    installationId: t.globalID({ required: true, for: InstallationRef }),
    function: t.string({ required: true, description: 'One of the version’s declared functions' }),
    input: t.string({ description: 'Passed to the plugin as is (usually JSON); at most 1 MiB', defaultValue: '' }),
  }),
});

builder.mutationFields((t) => ({
  executePlugin: t.field({
    type: ExecutionRef,
    description: 'Runs a function of an installation now; the Execution records the outcome, failures included',
    authScopes: writes,
    args: { input: t.arg({ type: ExecutePluginInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const outcome = await executePlugin(ctx.app.platform, ctx.viewer!, {
        installationId: input.installationId.id,
        function: input.function,
        input: input.input,
      });
      // The Execution as the call wrote it: reading it back would cost a statement per call.
      ctx.loaders.execution.clear(outcome.executionId).prime(outcome.executionId, outcome.record);
      return outcome.record;
    },
  }),
}));

const ExecutionEventRef = builder.objectRef<ExecutionEventPayload>('ExecutionEvent').implement({
  fields: (t) => ({
    type: t.expose('type', { type: ExecutionEventTypeEnum }),
    executionId: t.id({ resolve: (e) => encodeGlobalID('Execution', e.executionId) }),
    installationId: t.id({ resolve: (e) => encodeGlobalID('Installation', e.installationId) }),
    log: t.field({ type: LogLineRef, nullable: true, resolve: (e) => e.log ?? null }),
    emitted: t.field({
      type: 'JSON',
      nullable: true,
      description: 'For EMITTED: the {type, data} the plugin emitted',
      resolve: (e) => e.emitted ?? null,
    }),
    execution: t.field({
      type: ExecutionRef,
      description: 'The execution as stored when the event is delivered',
      resolve: async (e, _a, ctx) => (await ctx.loaders.execution.clear(e.executionId).load(e.executionId))!,
    }),
  }),
});

builder.subscriptionField('executionEvents', (t) =>
  t.field({
    type: ExecutionEventRef,
    description: "STARTED, LOG, EMITTED and the terminal event of the viewer's executions, optionally narrowed",
    authScopes: { signedIn: true },
    args: {
      installationId: t.arg.globalID({ for: InstallationRef }),
      executionId: t.arg.globalID({ for: ExecutionRef }),
    },
    subscribe: (_root, args, ctx) => {
      const installationId = args.installationId?.id ?? null;
      const executionId = args.executionId?.id ?? null;
      return pipe(
        Repeater.merge([ctx.app.platform.events.subscribe('execution-events', ctx.viewer!.id)]),
        filterIterator(
          (e: ExecutionEventPayload) =>
            (!installationId || e.installationId === installationId) && (!executionId || e.executionId === executionId),
        ),
      );
    },
    resolve: (payload) => payload,
  }),
);
