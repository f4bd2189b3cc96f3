import {
  EXTISM_ENV_MODULE,
  EXTISM_HTTP_FUNCTIONS,
  EXTISM_KERNEL_FUNCTIONS,
  HOST_FUNCTIONS,
  HOST_MODULE,
  HTTP_PERMISSION_KIND,
  type Permission,
} from '../abi.ts';
import type { FuncType, WasmImport } from './wasm-binary.ts';

export type ImportVerdict =
  /** `permission`: a `Permission`, `HTTP_PERMISSION_KIND` (any `http:` grant), or null (always linked). */
  | { ok: true; permission: Permission | typeof HTTP_PERMISSION_KIND | null }
  | { ok: false; code: ImportProblemCode; message: string };

export type ImportProblemCode =
  | 'IMPORT_NOT_FUNCTION'
  | 'IMPORT_FORBIDDEN_MODULE'
  | 'IMPORT_UNKNOWN_FUNCTION'
  | 'IMPORT_SIGNATURE_MISMATCH';

const sig = (t: { params: readonly string[]; results: readonly string[] }) =>
  `(${t.params.join(', ')}) -> (${t.results.join(', ')})`;

function sameSignature(actual: FuncType, expected: { params: readonly string[]; results: readonly string[] }): boolean {
  return sig(actual) === sig(expected);
}

/**
 * Decides whether one import may be linked, and which permission it needs. Used at publish
 * (`inspectModule`) and again before every instantiation, so a module that slipped past publish
 * still never reaches the engine with an import the runtime does not control.
 */
export function classifyImport(imp: WasmImport): ImportVerdict {
  const label = `${imp.module}.${imp.name}`;
  if (imp.kind === 'memory') {
    return {
      ok: false,
      code: 'IMPORT_NOT_FUNCTION',
      message: `${label}: imported memory is refused; the module must define its own`,
    };
  }
  if (imp.kind !== 'function') {
    return {
      ok: false,
      code: 'IMPORT_NOT_FUNCTION',
      message: `${label}: only function imports are allowed (found ${imp.kind})`,
    };
  }
  if (imp.module === EXTISM_ENV_MODULE) {
    if (Object.hasOwn(EXTISM_HTTP_FUNCTIONS, imp.name)) {
      const spec = EXTISM_HTTP_FUNCTIONS[imp.name as keyof typeof EXTISM_HTTP_FUNCTIONS];
      return sameSignature(imp.type, spec)
        ? { ok: true, permission: HTTP_PERMISSION_KIND }
        : mismatch(label, imp.type, spec);
    }
    const spec = EXTISM_KERNEL_FUNCTIONS[imp.name as keyof typeof EXTISM_KERNEL_FUNCTIONS];
    if (!Object.hasOwn(EXTISM_KERNEL_FUNCTIONS, imp.name) || !spec) {
      return { ok: false, code: 'IMPORT_UNKNOWN_FUNCTION', message: `${label}: not an Extism kernel function` };
    }
    if (!sameSignature(imp.type, spec)) {
      return mismatch(label, imp.type, spec);
    }
    return { ok: true, permission: null };
  }
  if (imp.module === HOST_MODULE) {
    const spec = HOST_FUNCTIONS[imp.name as keyof typeof HOST_FUNCTIONS];
    if (!Object.hasOwn(HOST_FUNCTIONS, imp.name) || !spec) {
      return { ok: false, code: 'IMPORT_UNKNOWN_FUNCTION', message: `${label}: not a Plugboard host function` };
    }
    if (!sameSignature(imp.type, spec)) return mismatch(label, imp.type, spec);
    return { ok: true, permission: spec.permission };
  }
  const what = imp.module.startsWith('wasi')
    ? 'WASI is not available to plugins'
    : `module "${imp.module}" is not linked`;
  return { ok: false, code: 'IMPORT_FORBIDDEN_MODULE', message: `${label}: ${what}` };
}

function mismatch(
  label: string,
  actual: FuncType,
  expected: { params: readonly string[]; results: readonly string[] },
): ImportVerdict {
  return {
    ok: false,
    code: 'IMPORT_SIGNATURE_MISMATCH',
    message: `${label}: signature ${sig(actual)} does not match the ABI's ${sig(expected)}`,
  };
}
