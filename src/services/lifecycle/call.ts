import type { SqlEntityManager } from '@mikro-orm/knex';
import type { PluginVersion } from '../../entities/index.ts';
import {
  admit,
  failedResult,
  hookExportName,
  normalizeLimits,
  packKv,
  type CallResult,
  type CircuitSnapshot,
  type LifecycleHook,
  type Permission,
} from '../../runtime/index.ts';
import { lifecycleInput, type LifecyclePayload } from '../../contracts/index.ts';
import type { ExecutionEventType } from '../events.ts';
import { CallBatch, newRecord, PLUGIN_REVOKED, reportExecution } from '../execute/index.ts';
import { applyResult, writeCompletions } from '../execute/record.ts';
import { getBlob, type Platform } from '../platform/index.ts';
import type { ExecutionRecord, InstallationRecord } from '../read/index.ts';

/** One lifecycle hook an operation runs: the installation as it will be once the operation commits. */
export interface LifecycleIntent {
  hook: LifecycleHook;
  plugin: { id: number; slug: string };
  /** For an installation the operation creates, the id reserved for it before the hook runs. */
  installationId: number;
  ownerId: number;
  version: PluginVersion;
  config: Record<string, unknown>;
  grants: string[];
  enabled: boolean;
  circuit: CircuitSnapshot;
  /** The installation does not exist yet: its KV store is empty and its Execution names it only once it commits. */
  creates: boolean;
  /** The KV revision the hook reads; its writes apply only over it. */
  kvRevision: number;
  /** Payload fields besides hook, installationId, plugin, version and config. */
  details: Pick<LifecyclePayload, 'previousVersion' | 'reason' | 'previousConfig'>;
}

/** A lifecycle hook that ran (or was refused) between the two passes of its operation. */
export interface LifecycleRun {
  intent: LifecycleIntent;
  record: ExecutionRecord;
  /** Null when refused without running (REJECTED). */
  result: CallResult | null;
}

/** The hook's input: `{ hook, installationId, plugin, version, config, …details }`. */
function inputOf(intent: LifecycleIntent): string {
  const { hook, installationId, plugin, version, config, details } = intent;
  return lifecycleInput({ hook, installationId, plugin: plugin.slug, version: version.version, config, ...details });
}

/** Why the hook is not run: its version is revoked, or its circuit is open. */
function refusal(platform: Platform, intent: LifecycleIntent): { code: string; message: string } | null {
  const revoked = platform.revocations.reasonFor(intent.version.id);
  if (revoked !== undefined)
    return { code: PLUGIN_REVOKED, message: `Version ${intent.version.version} was revoked: ${revoked}` };
  if (!admit(intent.circuit, Date.now(), platform.breaker).allowed)
    return {
      code: 'PLUGIN_REJECTED',
      message: `The circuit is open after ${intent.circuit.consecutiveFailures} consecutive failures`,
    };
  return null;
}

/**
 * Runs one lifecycle hook outside any transaction, recording it as an Execution (trigger HOOK)
 * whose row is written at once, so it is kept whatever becomes of the operation. Its KV writes
 * and its completion are not applied here: the operation's commit pass does that (`completeRuns`).
 */
export async function runLifecycleHook(platform: Platform, intent: LifecycleIntent): Promise<LifecycleRun> {
  const spec = {
    installationId: intent.installationId,
    function: hookExportName(intent.hook),
    input: inputOf(intent),
    trigger: 'HOOK' as const,
    hook: intent.hook,
  };
  const target = { installation: { id: intent.installationId }, version: intent.version, ownerId: intent.ownerId };
  const record = newRecord(platform, target as unknown as Parameters<typeof newRecord>[1], spec);
  if (intent.creates) record.installationId = null;
  const refused = refusal(platform, intent);
  if (refused)
    Object.assign(record, {
      status: 'REJECTED',
      errorCode: refused.code,
      errorMessage: refused.message,
      durationMs: 0,
      finishedAt: new Date(),
    });
  await new CallBatch(platform).start(platform.db.fork(), [record]);
  if (refused) return { intent, record, result: null };
  announce(platform, intent, record, 'STARTED');
  const { installationId, version } = intent;
  let result: CallResult;
  try {
    const kv = intent.grants.includes('kv') && !intent.creates ? await readKv(platform, installationId) : packKv([]);
    result = await platform.perUser.run(String(intent.ownerId), () =>
      platform.runtime.call({
        instanceKey: `installation:${installationId}`,
        module: { sha256: version.preparedSha256, load: () => loadModule(platform, version) },
        function: spec.function,
        input: new TextEncoder().encode(spec.input),
        grants: intent.grants as Permission[],
        limits: normalizeLimits({ fuel: version.limits.fuel, timeoutMs: version.limits.timeoutMs }),
        host: { config: intent.config, kv, clip: null },
        onLog: (line) => announce(platform, intent, record, 'LOG', { log: line }),
      }),
    );
  } catch (err) {
    platform.logger.error({ err, executionId: record.id }, 'a lifecycle hook could not run');
    result = failedResult('FAILED', 'PLUGIN_REJECTED', `the runtime could not run the hook: ${(err as Error).message}`);
  }
  applyResult(record, result);
  return { intent, record, result };
}

async function readKv(platform: Platform, installationId: number) {
  const em = platform.db.fork();
  const rows = await em.execute<{ key: string; value: Buffer }[]>(
    em.getKnex()('kv_entries').select('key', 'value').where('installation_id', installationId),
  );
  return packKv(rows.map((row) => [row.key, new Uint8Array(row.value)] as const));
}

async function loadModule(platform: Platform, version: PluginVersion): Promise<Uint8Array> {
  const bytes = await getBlob(platform.db.fork(), version.preparedSha256, { verify: false });
  if (!bytes) throw new Error(`module ${version.preparedSha256} is missing from the blob store`);
  return bytes;
}

/**
 * Completes the runs' Execution rows in `tx` (the operation's commit, or a transaction of their
 * own when it rolled back). Lifecycle hooks leave the breaker alone: a failed upgrade hook says
 * nothing about the version the installation stays on.
 */
export async function completeRuns(tx: SqlEntityManager, platform: Platform, runs: LifecycleRun[]): Promise<void> {
  const named = runs.filter((r) => r.intent.creates && r.record.installationId !== null);
  for (const { record } of named)
    await tx.execute(
      tx.getKnex()('executions').update({ installation_id: record.installationId }).where('id', record.id),
    );
  await writeCompletions(
    tx,
    platform,
    runs.map(({ intent, record }) => ({
      record,
      // Only the plugin (usage rollup) is read of an installation whose call did not `ran`.
      installation: { id: intent.installationId, pluginId: intent.plugin.id } as InstallationRecord,
      trial: false,
      ran: false,
    })),
  );
}

/** After the runs' rows are written: each run's terminal event (and, if its operation committed, what it emitted). */
export function announceRuns(platform: Platform, runs: LifecycleRun[], committed: boolean): void {
  for (const run of runs) {
    const { intent, record, result } = run;
    if (committed && record.status === 'SUCCEEDED')
      for (const emitted of result?.events ?? []) announce(platform, intent, record, 'EMITTED', { emitted });
    announce(platform, intent, record, record.status as ExecutionEventType);
    report(platform, run);
  }
}

function announce(
  platform: Platform,
  intent: LifecycleIntent,
  record: ExecutionRecord,
  type: ExecutionEventType,
  extra: { log?: { level: string; message: string; at: number }; emitted?: { type: string; data: unknown } } = {},
): void {
  platform.events.publish('execution-events', intent.ownerId, {
    type,
    executionId: record.id,
    installationId: intent.installationId,
    ownerId: intent.ownerId,
    ...extra,
  });
}

function report(platform: Platform, { intent, record }: LifecycleRun): void {
  reportExecution(platform, intent.plugin.slug, intent.version.version, record);
}
