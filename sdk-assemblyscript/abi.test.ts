import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  EXTISM_ENV_MODULE,
  EXTISM_HTTP_FUNCTIONS,
  HOST_FUNCTIONS,
  HOST_MODULE,
  type WasmValType,
} from '../src/runtime/index.ts';

const sdk = path.dirname(new URL(import.meta.url).pathname);

// AssemblyScript types as they lower to Wasm value types.
const LOWERED: Record<string, WasmValType> = { u64: 'i64', i64: 'i64', u32: 'i32', i32: 'i32', bool: 'i32', u8: 'i32' };

interface Declared {
  module: string;
  name: string;
  params: WasmValType[];
  results: WasmValType[];
}

function lower(type: string): WasmValType {
  const t = LOWERED[type.trim()];
  if (!t) throw new Error(`unexpected AssemblyScript type in an @external: ${type}`);
  return t;
}

/** Every `@external(module, name) export declare function f(params): result;` in a file. */
function parseExternals(source: string): Declared[] {
  const re = /@external\("([^"]+)",\s*"([^"]+)"\)\s*(?:export )?declare function \w+\(([^)]*)\):\s*(\w+);/g;
  return [...source.matchAll(re)].map(([, module, name, params, result]) => ({
    module: module!,
    name: name!,
    params: params!.trim() ? params!.split(',').map((p) => lower(p.split(':')[1]!)) : [],
    results: result === 'void' ? [] : [lower(result!)],
  }));
}

describe('SDK host declarations', () => {
  it('declare exactly the host functions of src/runtime/abi.ts with the same signatures', async () => {
    const source = await readFile(path.join(sdk, 'assembly/host.ts'), 'utf8');
    const all = parseExternals(source);
    // Guards the regex itself: every @external in the file must have been understood.
    expect(all).toHaveLength(source.match(/@external\(/g)!.length);
    expect(all.every((d) => d.module === HOST_MODULE || d.module === EXTISM_ENV_MODULE)).toBe(true);
    const declared = all.filter((d) => d.module === HOST_MODULE);
    const fromSdk = Object.fromEntries(declared.map((d) => [d.name, { params: d.params, results: d.results }]));
    const fromAbi = Object.fromEntries(
      Object.entries(HOST_FUNCTIONS).map(([name, spec]) => [
        name,
        { params: [...spec.params], results: [...spec.results] },
      ]),
    );
    expect(fromSdk).toEqual(fromAbi);
  });

  it('keep @external declarations of Plugboard host functions in host.ts only', async () => {
    const { readdir } = await import('node:fs/promises');
    const files = (await readdir(path.join(sdk, 'assembly'))).filter((f) => f.endsWith('.ts') && f !== 'host.ts');
    for (const file of files) {
      const source = await readFile(path.join(sdk, 'assembly', file), 'utf8');
      expect(source, file).not.toContain(`@external("${HOST_MODULE}"`);
    }
  });

  it('declare the Extism kernel HTTP functions exactly as the runtime links them', async () => {
    const source = await readFile(path.join(sdk, 'assembly/host.ts'), 'utf8');
    const declared = parseExternals(source).filter((d) => d.module === EXTISM_ENV_MODULE);
    expect(Object.fromEntries(declared.map((d) => [d.name, { params: d.params, results: d.results }]))).toEqual(
      Object.fromEntries(
        Object.entries(EXTISM_HTTP_FUNCTIONS).map(([name, spec]) => [
          name,
          { params: [...spec.params], results: [...spec.results] },
        ]),
      ),
    );
  });
});
