import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalRunner, createRuntime, type LocalRunner, type PreparedModule } from '../index.ts';
import { preparedFixture } from '../testing/fixtures.ts';
import { request, text } from '../testing/requests.ts';

const enc = new TextEncoder();
let runner: LocalRunner;
let echo: PreparedModule, hostApi: PreparedModule, hostile: PreparedModule;

beforeAll(async () => {
  [echo, hostApi, hostile] = await Promise.all([
    preparedFixture('echo'),
    preparedFixture('host-api'),
    preparedFixture('hostile'),
  ]);
  runner = createLocalRunner();
});
afterAll(() => runner?.close());

describe('host functions (local runner)', () => {
  it('reads the KV snapshot and buffers writes and deletes', async () => {
    const kv = new Map([['old', enc.encode('x')]]);
    const r = await runner.run(request(hostApi, 'kv_roundtrip', '42', { host: { kv } }));
    expect(r.status).toBe('SUCCEEDED');
    expect(JSON.parse(text(r.output)!)).toEqual({ before: 'null', after: '42', set: 0, deleted: 1 });
    expect(r.kvWrites.map((w) => [w.key, text(w.value)])).toEqual([
      ['counter', '42'],
      ['old', null],
    ]);
    // What it read from the store, for replay: not its own write read back, not what it deleted.
    expect(r.kvReads.map((w) => [w.key, text(w.value)])).toEqual([['counter', null]]);
    expect(kv.get('old')).toBeDefined();
    expect(r.logs).toEqual([expect.objectContaining({ level: 'info', message: 'kv done' })]);
  });

  it('enforces the KV quota on the resulting total', async () => {
    const kv = new Map([['existing', new Uint8Array(900)]]);
    const r = await runner.run(
      request(hostApi, 'kv_fill', 'v'.repeat(100), { host: { kv }, limits: { maxKvBytes: 1500, fuel: 1e9 } }),
    );
    // 900 + 8 existing; each new entry costs 2-3 key bytes + 100: five fit, the sixth is refused.
    expect(JSON.parse(text(r.output)!)).toEqual({ stored: 5, code: 1 });
    expect(r.kvWrites).toHaveLength(5);
  });

  it('counts values handed to the plugin against its host memory budget', async () => {
    const kv = new Map([['big', new Uint8Array(1024 * 1024)]]);
    const r = await runner.run(request(hostApi, 'kv_hoard', '', { host: { kv }, limits: { fuel: 1e9 } }));
    expect(r.status).toBe('MEMORY_EXCEEDED');
    expect(r.error?.code).toBe('PLUGIN_MEMORY_EXCEEDED');
  });

  it('keeps Extism vars for the length of one call, within a size cap', async () => {
    const first = await runner.run(request(hostApi, 'var_count', '3', { instanceKey: 'vars' }));
    const second = await runner.run(request(hostApi, 'var_count', '3', { instanceKey: 'vars' }));
    expect([text(first.output), text(second.output)]).toEqual(['3', '3']);
    const flood = await runner.run(request(hostApi, 'var_flood', '', { instanceKey: 'flood', limits: { fuel: 2e9 } }));
    expect(flood.status).toBe('MEMORY_EXCEEDED');
  });

  it('serves config values as JSON and 0 for missing keys', async () => {
    const r = await runner.run(request(hostApi, 'read_config', '', { host: { config: { threshold: 0.75 } } }));
    expect(JSON.parse(text(r.output)!)).toEqual({ threshold: 0.75, missing: null });
  });

  it('gives the clip, buffers valid patches and events, rejects invalid ones', async () => {
    const r = await runner.run(request(hostApi, 'tag_clip', '', { host: { clip: { id: 'c1', title: 'Ace' } } }));
    expect(JSON.parse(text(r.output)!)).toEqual({ clip: { id: 'c1', title: 'Ace' }, patch: 0, invalid: 1, emit: 0 });
    expect(r.clipPatches).toEqual([{ tags: ['tagged'] }]);
    expect(r.events).toEqual([{ type: 'tagged', data: { ok: true } }]);
    const noClip = await runner.run(request(hostApi, 'tag_clip'));
    expect(JSON.parse(text(noClip.output)!)).toMatchObject({ clip: null, patch: 2 });
    expect(noClip.clipPatches).toEqual([]);
  });

  it('captures log levels and streams them', async () => {
    const live: string[] = [];
    const r = await runner.run(
      request(hostApi, 'say_hello', '', { onLog: (l) => live.push(`${l.level}:${l.message}`) }),
    );
    expect(r.logs.map((l) => `${l.level}:${l.message}`)).toEqual([
      'info:hello from the plugin',
      'error:and an error line',
    ]);
    expect(live).toEqual(['info:hello from the plugin', 'error:and an error line']);
  });

  it('refuses ungranted permissions like the runtime does', async () => {
    const r = await runner.run(
      request(hostApi, 'say_hello', '', { grants: ['config', 'kv', 'clips:read', 'clips:write', 'events'] }),
    );
    expect(r.error).toMatchObject({ code: 'PERMISSION_DENIED', message: expect.stringContaining('log') });
  });
});

describe('local runner and worker runtime agree', () => {
  it('reports identical fuel and memory for the same call', async () => {
    const runtime = createRuntime({ workers: 1 });
    try {
      const calls = [
        request(echo, 'json_stats', '{"a":[1,2,{"b":"c"}],"d":-3.5}'),
        request(echo, 'fibonacci', '20'),
        request(hostile, 'spin', '', { limits: { fuel: 5_000_000 } }),
        request(hostile, 'allocate_forever', '', { limits: { fuel: 1e9 } }),
      ];
      for (const call of calls) {
        const [local, remote] = [await runner.run(call), await runtime.call(call)];
        expect({ status: local.status, fuel: local.fuelUsed, mem: local.peakMemoryBytes }).toEqual({
          status: remote.status,
          fuel: remote.fuelUsed,
          mem: remote.peakMemoryBytes,
        });
      }
    } finally {
      await runtime.close();
    }
  });

  it('meters deterministically: equal fuel for equal calls on fresh instances and on reused ones', async () => {
    const run = async (key: string) =>
      (await runner.run(request(echo, 'fibonacci', '15', { instanceKey: key }))).fuelUsed!;
    const firsts = [await run('fresh-a'), await run('fresh-b'), await run('fresh-c')];
    const reused = [await run('fresh-a'), await run('fresh-a'), await run('fresh-b')];
    // A reused instance is reset to its state after instantiation: it pays what a fresh one does.
    expect(new Set([...firsts, ...reused]).size).toBe(1);
  });
});
