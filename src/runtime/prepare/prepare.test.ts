import { describe, expect, it } from 'vitest';
import { INSTRUMENTATION_VERSION, InvalidModuleError, prepareModule, sha256Hex } from '../index.ts';
import { capMemory } from '../wasm/memory-cap.ts';
import { buildFixture } from '../testing/fixtures.ts';
import { tinyWasm } from '../testing/tiny-wasm.ts';
import { readWasmSummary } from '../wasm/wasm-binary.ts';

describe('capMemory', () => {
  it('sets a maximum on a memory without one and lowers a larger one', () => {
    const uncapped = capMemory(tinyWasm({ memory: { min: 1 }, exports: ['run'] }), 300);
    expect(readWasmSummary(uncapped).memories[0]).toMatchObject({ min: 1, max: 300 });
    expect(WebAssembly.validate(uncapped as BufferSource)).toBe(true);
    const lowered = capMemory(tinyWasm({ memory: { min: 2, max: 65536 }, exports: ['run'] }), 256);
    expect(readWasmSummary(lowered).memories[0]).toMatchObject({ min: 2, max: 256 });
    const kept = capMemory(tinyWasm({ memory: { min: 1, max: 10 }, exports: ['run'] }), 256);
    expect(readWasmSummary(kept).memories[0].max).toBe(10);
  });

  it('refuses modules whose initial memory is above the cap, or that import memory', () => {
    expect(() => capMemory(tinyWasm({ memory: { min: 20 }, exports: ['run'] }), 16)).toThrow(/20 pages/);
    expect(() => capMemory(tinyWasm({ importMemory: { module: 'env', name: 'memory' }, memory: null }), 16)).toThrow(
      /one memory/,
    );
  });
});

describe('prepareModule', () => {
  it('instruments and caps a real plugin, and reports what callers cache by', async () => {
    const raw = await buildFixture('echo');
    const prepared = await prepareModule(raw, { memoryMaxPages: 64 });
    expect(prepared.instrumentationVersion).toBe(INSTRUMENTATION_VERSION);
    expect(prepared.sha256).toBe(sha256Hex(prepared.bytes));
    const summary = readWasmSummary(prepared.bytes);
    expect(summary.memories[0].max).toBe(64);
    expect(summary.exports.map((e) => e.name)).toEqual(
      expect.arrayContaining(['__plugboard_fuel_get', '__plugboard_fuel_set', '__plugboard_rc', 'echo', 'fibonacci']),
    );
    expect(WebAssembly.validate(prepared.bytes as BufferSource)).toBe(true);
  });

  it('reports instrumentation failures as InvalidModuleError and keeps working afterwards', async () => {
    const tooBig = tinyWasm({ memory: { min: 20 }, exports: ['run'] });
    await expect(prepareModule(tooBig, { memoryMaxPages: 16 })).rejects.toMatchObject({
      code: 'PLUGIN_INVALID_MODULE',
      message: expect.stringMatching(/20 pages/),
    });
    const ok = await prepareModule(tinyWasm({ memory: { min: 1 }, exports: ['run'] }), { memoryMaxPages: 16 });
    expect(readWasmSummary(ok.bytes).memories[0].max).toBe(16);
  });

  it('refuses caps outside 1..1024 pages and bytes that are not Wasm', async () => {
    const raw = await buildFixture('echo');
    await expect(prepareModule(raw, { memoryMaxPages: 1025 })).rejects.toBeInstanceOf(InvalidModuleError);
    await expect(prepareModule(new Uint8Array([1, 2, 3]))).rejects.toMatchObject({ code: 'PLUGIN_INVALID_MODULE' });
  });
});
