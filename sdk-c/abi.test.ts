import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  EXTISM_ENV_MODULE,
  EXTISM_KERNEL_FUNCTIONS,
  HOOKS,
  HOST_FUNCTIONS,
  HOST_MODULE,
  hookExportName,
  LOG_LEVELS,
  EXTISM_HTTP_FUNCTIONS,
  type WasmValType,
} from '../src/runtime/index.ts';

const sdk = path.dirname(new URL(import.meta.url).pathname);
const abiHeader = path.join(sdk, 'plugboard', 'abi.h');

// C types as clang lowers them for wasm32.
const LOWERED: Record<string, WasmValType> = {
  uint64_t: 'i64',
  int64_t: 'i64',
  uint32_t: 'i32',
  int32_t: 'i32',
};

interface Declared {
  module: string;
  name: string;
  params: WasmValType[];
  results: WasmValType[];
}

function lower(type: string): WasmValType {
  const t = LOWERED[type.trim()];
  if (!t) throw new Error(`unexpected C type in an import declaration: ${type}`);
  return t;
}

/** The modules the PB_KERNEL / PB_HOST macros expand to, read from their #defines. */
function macroModules(source: string): Record<string, string> {
  const re = /#define (PB_\w+)\(name\) __attribute__\(\(import_module\("([^"]+)"\), import_name\(name\)\)\)/g;
  return Object.fromEntries([...source.matchAll(re)].map(([, macro, module]) => [macro!, module!]));
}

/** Every `PB_KERNEL("name") result fn(params);` / `PB_HOST(...)` line of the header. */
function parseImports(source: string): Declared[] {
  const modules = macroModules(source);
  const re = /^(PB_\w+)\("([^"]+)"\) (\w+) \w+\(([^)]*)\);/gm;
  return [...source.matchAll(re)].map(([, macro, name, result, params]) => {
    const module = modules[macro!];
    if (!module) throw new Error(`${macro} is not an import macro`);
    const list = params!.trim() === 'void' ? [] : params!.split(',').map((p) => lower(p.trim().split(/\s+/)[0]!));
    return { module, name: name!, params: list, results: result === 'void' ? [] : [lower(result!)] };
  });
}

const signatures = (specs: Record<string, { params: readonly WasmValType[]; results: readonly WasmValType[] }>) =>
  Object.fromEntries(
    Object.entries(specs).map(([name, s]) => [name, { params: [...s.params], results: [...s.results] }]),
  );

const ofModule = (declared: Declared[], module: string) =>
  Object.fromEntries(
    declared.filter((d) => d.module === module).map((d) => [d.name, { params: d.params, results: d.results }]),
  );

describe('C SDK header (sdk-c/plugboard/abi.h) against src/runtime/abi.ts', async () => {
  const source = await readFile(abiHeader, 'utf8');
  const declared = parseImports(source);

  it('understands every import declaration in the header', () => {
    // Guards the regex: each PB_KERNEL/PB_HOST use outside the #defines must have been parsed.
    const uses = source.split('\n').filter((l) => /^PB_(KERNEL|HOST)\(/.test(l));
    expect(declared).toHaveLength(uses.length);
    expect(macroModules(source)).toEqual({ PB_KERNEL: EXTISM_ENV_MODULE, PB_HOST: HOST_MODULE });
  });

  it('declares exactly the Plugboard host functions, with the same signatures', () => {
    expect(ofModule(declared, HOST_MODULE)).toEqual(signatures(HOST_FUNCTIONS));
  });

  it('declares exactly the Extism kernel functions the runtime links, HTTP included', () => {
    expect(ofModule(declared, EXTISM_ENV_MODULE)).toEqual(
      signatures({ ...EXTISM_KERNEL_FUNCTIONS, ...EXTISM_HTTP_FUNCTIONS }),
    );
    expect(declared.every((d) => d.module === HOST_MODULE || d.module === EXTISM_ENV_MODULE)).toBe(true);
  });

  it('says above each host function the permission that links it', () => {
    const noted = [...source.matchAll(/^\/\* permission: ([\w:]+)[^\n]*\*\/\nPB_HOST\("(\w+)"\)/gm)];
    expect(Object.fromEntries(noted.map(([, permission, name]) => [name, permission]))).toEqual(
      Object.fromEntries(Object.entries(HOST_FUNCTIONS).map(([name, spec]) => [name, spec.permission])),
    );
  });

  it('names every hook by its export, and no others', () => {
    const hooks = [...source.matchAll(/#define PB_HOOK_\w+ "(\w+)"\s+\/\* hook: ([\w.]+) \*\//g)];
    expect(hooks.map(([, , hook]) => hook)).toEqual([...HOOKS]);
    for (const [, exported, hook] of hooks) expect(exported).toBe(hookExportName(hook!));
  });

  it('numbers the log levels as LOG_LEVELS does', () => {
    const levels = [...source.matchAll(/PB_LOG_(\w+) = (\d+)/g)].map(([, name, n]) => [Number(n), name!.toLowerCase()]);
    expect(levels).toEqual(LOG_LEVELS.map((l, i) => [i, l]));
  });

  it('keeps import declarations in abi.h only', async () => {
    const files = (await readdir(sdk, { recursive: true })).filter(
      (f) => /\.(h|c|cpp|tmpl)$/.test(f) && path.join(sdk, f) !== abiHeader,
    );
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) expect(await readFile(path.join(sdk, file), 'utf8'), file).not.toMatch(/import_module/);
  });
});
