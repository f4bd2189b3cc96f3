import { createHash } from 'node:crypto';
import path from 'node:path';
import type { Command } from 'commander';
import { PluginHarness } from '../../../sdk-assemblyscript/harness/plugin-harness.ts';
import type { HarnessResult } from '../../../sdk-assemblyscript/harness/types.ts';
import { type HttpErrorCode, inspectModule, isPermission } from '../../runtime/index.ts';
import type { HttpMock } from '../../../sdk-assemblyscript/harness/index.ts';
import { buildPlugin } from '../../../sdk-assemblyscript/compiler/build.ts';
import { readPluginJson, validateManifest, type PluginJson } from '../../contracts/index.ts';
import { action } from '../action.ts';
import { bytes, clip, count, ms, table } from './format.ts';
import type { ServerOptions } from './graphql-client.ts';
import { fetchExecution, fetchModule, type RecordedExecution } from './replay-fetch.ts';

interface Replayed {
  recorded: RecordedExecution;
  local: HarnessResult;
  /** What ran locally: the published module, or a build of --dir. */
  source: string;
}

/** The published manifest when the server sends it, else the least the harness needs. */
function manifestOf(e: RecordedExecution, wasm: Uint8Array): PluginJson {
  const published = validateManifest(e.version.manifest).manifest;
  if (published) return published;
  // Without the manifest, grant what the module imports: a recorded call had those linked.
  const required = inspectModule(wasm, { functions: [], hooks: [], permissions: [] }).requiredPermissions;
  return {
    slug: 'replay',
    version: e.version.version,
    hostApi: '^1.0.0',
    functions: [],
    hooks: [],
    permissions: required,
    limits: {},
    dependencies: {},
    configSchema: null,
    changelog: '',
  };
}

export async function replayExecution(id: string, opts: ServerOptions & { dir?: string }): Promise<Replayed> {
  const recorded = await fetchExecution(opts, id);
  let wasm: Uint8Array;
  let manifest: PluginJson;
  let source: string;
  if (opts.dir) {
    const root = path.resolve(opts.dir);
    manifest = await readPluginJson(root);
    wasm = (await buildPlugin(root)).bytes;
    const same = createHash('sha256').update(wasm).digest('hex') === recorded.version.sha256;
    source = `local build of ${path.relative(process.cwd(), root) || '.'} (${same ? 'identical to' : 'differs from'} the recorded version)`;
  } else {
    wasm = await fetchModule(opts, recorded.version.sha256);
    manifest = manifestOf(recorded, wasm);
    source = `published module ${recorded.version.version} (sha256 verified)`;
  }
  const granted = recorded.installation?.grantedPermissions ?? manifest.permissions;
  const harness = await PluginHarness.fromBytes(wasm, manifest);
  try {
    const local = await harness.call(recorded.function, recorded.input ?? '', {
      config: recorded.installation?.config ?? {},
      kv: kvAsRead(recorded),
      clip: clipAsSeen(recorded).clip,
      grants: granted.filter(isPermission),
      http: httpAsRecorded(recorded),
    });
    return { recorded, local, source };
  } finally {
    await harness.close();
  }
}

/** The KV store as the call found it: every key it read, with the value it got (absent keys stay absent). */
export function kvAsRead(recorded: RecordedExecution): Record<string, Uint8Array> {
  const kv: Record<string, Uint8Array> = {};
  for (const read of recorded.kvReads ?? [])
    if (read.base64 !== null) kv[read.key] = new Uint8Array(Buffer.from(read.base64, 'base64'));
  return kv;
}

/**
 * The call's outbound HTTP answered from the recording, in order, without the network: each
 * request gets the response (or the failure) the recorded call got, provided it asks for the
 * same method and URL; anything else gets HTTP_NO_RESPONSE.
 */
export function httpAsRecorded(recorded: RecordedExecution): HttpMock {
  const list = recorded.httpRequests ?? [];
  return (req, index) => {
    const r = list[index];
    if (!r)
      return {
        error: 'HTTP_NO_RESPONSE',
        message: `request #${index + 1} (${req.method} ${req.url}) was not made by the recorded call`,
      };
    if (r.method !== req.method || r.url !== req.url)
      return {
        error: 'HTTP_NO_RESPONSE',
        message: `request #${index + 1} is ${req.method} ${req.url}; the recorded call made ${r.method} ${r.url}`,
      };
    if (r.errorCode) return { error: r.errorCode as HttpErrorCode, message: r.errorMessage ?? r.errorCode };
    return {
      status: r.status,
      headers: r.responseHeaders,
      body: r.responseBase64 === null ? '' : new Uint8Array(Buffer.from(r.responseBase64, 'base64')),
    };
  };
}

/**
 * A hook's recorded input is the event `{ hook, clip }`, so it holds the clip as the call saw it;
 * other calls can only use the clip as it is now.
 */
export function clipAsSeen(recorded: RecordedExecution): { clip: Record<string, unknown> | null; recorded: boolean } {
  try {
    const event = JSON.parse(recorded.input ?? '') as { hook?: unknown; clip?: unknown };
    if (typeof event.hook === 'string' && event.clip && typeof event.clip === 'object')
      return { clip: event.clip as Record<string, unknown>, recorded: true };
  } catch {
    // not a hook event: fall back to the clip as it is now
  }
  return { clip: recorded.clip ?? null, recorded: false };
}

const orDash = (v: string | number | null | undefined) => (v === null || v === undefined || v === '' ? '-' : String(v));

export function printReplay({ recorded: r, local: l, source }: Replayed): void {
  console.log(`execution ${r.id}: ${r.function} on version ${r.version.version}; replayed with the ${source}`);
  if (r.inputTruncated)
    console.log('note: the server kept only the first 64 KiB of the input; the local run used that');
  const seen = clipAsSeen(r);
  if (seen.clip && !seen.recorded)
    console.log(
      `note: clip ${String(seen.clip.id)} as it is now; the recording does not keep the clip as the call saw it`,
    );
  if (seen.recorded) console.log('note: the clip as the hook saw it, from the recorded input');
  if (r.kvReads?.length) console.log(`note: KV as the call read it (${r.kvReads.length} key(s))`);
  if (r.kvReadsTruncated)
    console.log('note: the server kept only the first 64 KiB of the KV reads; keys past it were empty locally');
  if (r.kvReads === undefined || r.kvReads === null)
    console.log('note: the server did not record KV reads; the local run started with an empty KV store');
  const http = r.httpRequests ?? [];
  if (http.length) console.log(`note: ${http.length} HTTP request(s) answered from the recording, without the network`);
  if (http.some((x) => x.responseTruncated))
    console.log('note: the server kept only the start of some HTTP responses (64 KiB each, 256 KiB per call)');
  const error = (code: string | null | undefined, message: string | null | undefined) =>
    code ? clip(`${code}: ${message ?? ''}`, 50) : '-';
  const rows = [
    ['', 'recorded', 'local'],
    ['status', r.status, l.status],
    ['error', error(r.errorCode, r.errorMessage), error(l.error?.code, l.error?.message)],
    ['fuel', r.fuelUsed === null ? '-' : count(r.fuelUsed), count(l.usage.fuelUsed)],
    ['peak memory', r.peakMemoryBytes === null ? '-' : bytes(r.peakMemoryBytes), bytes(l.usage.peakMemoryBytes)],
    ['duration', r.durationMs === null ? '-' : ms(r.durationMs), ms(l.usage.durationMs)],
    ['output', clip(orDash(r.output), 50), clip(orDash(l.output), 50)],
    ['log lines', String(r.logs.length), String(l.logs.length)],
    ['http requests', String(http.length), String(l.httpRequests.length)],
  ];
  const line = (x: { level: string; message: string } | undefined) => (x ? clip(`[${x.level}] ${x.message}`, 50) : '');
  for (let i = 0; i < Math.max(r.logs.length, l.logs.length); i++) rows.push(['log', line(r.logs[i]), line(l.logs[i])]);
  console.log(table(rows));
  const differs = replayDifferences(r, l);
  console.log(
    differs.length === 0
      ? 'exact match: same status, output, fuel, peak memory, logs and HTTP requests'
      : `DIFFERENT ${differs.join(', ')}`,
  );
}

/**
 * What the local run did differently. A call's fuel, peak memory, output and logs depend only
 * on its module, input, config and host state, so a replay of the same module matches them
 * exactly; fuel the server could not know (a timed-out call) is not compared. Log levels are
 * compared whatever their case (GraphQL sends enum values).
 */
export function replayDifferences(r: RecordedExecution, l: HarnessResult): string[] {
  const logs = (lines: { level: string; message: string }[]) =>
    lines.map((x) => `${x.level.toLowerCase()}:${x.message}`).join('\n');
  const differs: string[] = [];
  if (r.status !== l.status) differs.push('status');
  if ((r.output ?? null) !== (l.output ?? null)) differs.push('output');
  if (r.fuelUsed !== null && r.fuelUsed !== l.usage.fuelUsed) differs.push('fuel');
  if (r.peakMemoryBytes !== null && r.peakMemoryBytes !== l.usage.peakMemoryBytes) differs.push('peak memory');
  if (logs(r.logs) !== logs(l.logs)) differs.push('logs');
  const requests = (xs: { method: string; url: string; status: number }[]) =>
    xs.map((x) => `${x.method} ${x.url} ${x.status}`).join('\n');
  if (requests(r.httpRequests ?? []) !== requests(l.httpRequests ?? [])) differs.push('http requests');
  return differs;
}

export function registerReplay(plugin: Command): void {
  plugin
    .command('replay')
    .description(
      'Re-run a recorded execution locally (its input, config and version) and compare it with the recording',
    )
    .argument('<executionId>', 'id of the execution to replay')
    .requiredOption('--server <url>', 'Plugboard server, e.g. http://localhost:4000', process.env.PLUGBOARD_SERVER)
    .requiredOption('--token <token>', 'API token (or set PLUGBOARD_TOKEN)', process.env.PLUGBOARD_TOKEN)
    .option('--dir <dir>', 'run a local build of this plugin folder instead of the published module')
    .action(
      action(async (id: string, opts: ServerOptions & { dir?: string }) => {
        printReplay(await replayExecution(id, opts));
      }),
    );
}
