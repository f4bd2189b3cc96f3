import { beforeAll, describe, expect, it } from 'vitest';
import { inspectModule } from '../index.ts';
import { buildFixture } from '../testing/fixtures.ts';
import { tinyWasm } from '../testing/tiny-wasm.ts';

const ALL = ['log', 'config', 'kv', 'clips:read', 'clips:write', 'events'];
let echo: Uint8Array, hostApi: Uint8Array, wasi: Uint8Array;

beforeAll(async () => {
  [echo, hostApi, wasi] = await Promise.all([buildFixture('echo'), buildFixture('host-api'), buildFixture('wasi')]);
});

describe('inspectModule', () => {
  it('accepts a healthy module and lists its exports and imports', () => {
    const report = inspectModule(echo, { functions: ['echo', 'fibonacci'], hooks: [], permissions: [] });
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.exports.map((e) => e.name)).toEqual(expect.arrayContaining(['echo', 'memory']));
    expect(report.imports.every((i) => i.module === 'extism:host/env')).toBe(true);
    expect(report.memory?.minPages).toBeGreaterThan(0);
  });

  it('names every host import whose permission the manifest does not declare', () => {
    const report = inspectModule(hostApi, { functions: ['kv_roundtrip'], hooks: [], permissions: ['log', 'config'] });
    const undeclared = report.problems
      .filter((p) => p.code === 'IMPORT_NOT_DECLARED')
      .map((p) => p.import)
      .sort();
    expect(undeclared).toEqual([
      'extism:host/user.clip_get',
      'extism:host/user.clip_patch',
      'extism:host/user.emit',
      'extism:host/user.kv_delete',
      'extism:host/user.kv_get',
      'extism:host/user.kv_set',
    ]);
    expect(report.requiredPermissions.sort()).toEqual([...ALL].sort());
    expect(inspectModule(hostApi, { functions: ['kv_roundtrip'], hooks: [], permissions: ALL }).ok).toBe(true);
  });

  it('refuses WASI imports by name', () => {
    const report = inspectModule(wasi, { functions: ['roll'], hooks: [], permissions: ALL });
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual(
      expect.objectContaining({ code: 'IMPORT_FORBIDDEN_MODULE', import: 'wasi_snapshot_preview1.random_get' }),
    );
  });

  it('refuses tables that would start larger than the platform allows', () => {
    const huge = inspectModule(tinyWasm({ table: { min: 9_000_000 }, exports: ['run'] }), {
      functions: ['run'],
      hooks: [],
      permissions: [],
    });
    expect(huge.problems).toEqual([
      expect.objectContaining({ code: 'TABLE_TOO_LARGE', message: expect.stringContaining('9000000 entries') }),
    ]);
    const modest = inspectModule(tinyWasm({ table: { min: 500 }, exports: ['run'] }), {
      functions: ['run'],
      hooks: [],
      permissions: [],
    });
    expect(modest.problems).toEqual([]);
  });

  it('reports every problem at once: missing functions and hooks, env, undeclared HTTP, bad signatures, unknown names', () => {
    const bytes = tinyWasm({
      imports: [
        { module: 'env', name: 'abort', params: ['i32'], results: [] },
        { module: 'extism:host/env', name: 'http_request', params: ['i64', 'i64'], results: ['i64'] },
        { module: 'extism:host/env', name: 'http_status_code', params: [], results: ['i64'] },
        { module: 'extism:host/env', name: 'made_up', params: [], results: [] },
        { module: 'extism:host/user', name: 'kv_get', params: ['i32'], results: ['i32'] },
        { module: 'extism:host/user', name: 'fs_read', params: ['i64'], results: ['i64'] },
      ],
      exports: ['run', '__plugboard_fuel_get'],
    });
    const report = inspectModule(bytes, {
      functions: ['run', 'missing'],
      hooks: ['clip.captured', 'clip.exploded'],
      permissions: ['kv'],
    });
    const codes = report.problems.map((p) => `${p.code}:${p.import ?? p.export ?? ''}`);
    expect(codes).toEqual(
      expect.arrayContaining([
        'FUNCTION_NOT_EXPORTED:missing',
        'HOOK_NOT_EXPORTED:clip_captured',
        'UNKNOWN_HOOK:clip_exploded',
        'IMPORT_FORBIDDEN_MODULE:env.abort',
        'IMPORT_NOT_DECLARED:extism:host/env.http_request',
        'IMPORT_SIGNATURE_MISMATCH:extism:host/env.http_status_code',
        'IMPORT_UNKNOWN_FUNCTION:extism:host/env.made_up',
        'IMPORT_SIGNATURE_MISMATCH:extism:host/user.kv_get',
        'IMPORT_UNKNOWN_FUNCTION:extism:host/user.fs_read',
        'RESERVED_EXPORT:__plugboard_fuel_get',
      ]),
    );
  });

  it('refuses imported memory, memory64 and modules without memory', () => {
    const imported = inspectModule(
      tinyWasm({ importMemory: { module: 'env', name: 'memory' }, memory: null, exports: ['run'] }),
      { functions: ['run'], hooks: [], permissions: [] },
    );
    expect(imported.problems.map((p) => p.code)).toContain('MEMORY_IMPORTED');
    const none = inspectModule(tinyWasm({ memory: null, exports: ['run'] }), {
      functions: ['run'],
      hooks: [],
      permissions: [],
    });
    expect(none.problems.map((p) => p.code)).toEqual(['MEMORY_MISSING']);
    const mem64 = tinyWasm({ memory: { min: 1, memory64: true }, exports: ['run'] });
    const report = inspectModule(mem64, { functions: ['run'], hooks: [], permissions: [] });
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.code)).toEqual([expect.stringMatching(/MEMORY_UNSUPPORTED|INVALID_WASM/)]);
  });

  it('refuses bytes that are not Wasm', () => {
    expect(
      inspectModule(new TextEncoder().encode('not wasm'), { functions: [], hooks: [], permissions: [] }).problems,
    ).toEqual([expect.objectContaining({ code: 'INVALID_WASM' })]);
  });
});
