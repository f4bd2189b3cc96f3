import { HOOKS, hookExportName, HTTP_PERMISSION_KIND, RESERVED_EXPORT_PREFIX } from '../abi.ts';
import { grantsCover, isPermission } from '../http/host-pattern.ts';
import { classifyImport, type ImportProblemCode } from '../wasm/imports.ts';
import { readWasmSummary, type WasmSummary } from '../wasm/wasm-binary.ts';
import { MAX_TABLE_ENTRIES } from '../limits.ts';

export type InspectProblemCode =
  | ImportProblemCode
  | 'INVALID_WASM'
  | 'FUNCTION_NOT_EXPORTED'
  | 'FUNCTION_SIGNATURE'
  | 'HOOK_NOT_EXPORTED'
  | 'UNKNOWN_HOOK'
  | 'UNKNOWN_PERMISSION'
  | 'IMPORT_NOT_DECLARED'
  | 'MEMORY_IMPORTED'
  | 'MEMORY_MISSING'
  | 'MEMORY_UNSUPPORTED'
  | 'TABLE_TOO_LARGE'
  | 'RESERVED_EXPORT';

export interface InspectProblem {
  code: InspectProblemCode;
  message: string;
  /** `module.name` of the offending import. */
  import?: string;
  /** Name of the offending (or missing) export. */
  export?: string;
}

export interface InspectReport {
  ok: boolean;
  problems: InspectProblem[];
  exports: { name: string; kind: string }[];
  imports: { module: string; name: string; kind: string }[];
  /** Permissions the module's host-function imports need; `http:*` stands for any `http:` permission. */
  requiredPermissions: string[];
  /** The module's own memory, in 64 KiB pages, or null when it defines none. */
  memory: { minPages: number; maxPages: number | null } | null;
}

export interface InspectExpectations {
  functions: string[];
  hooks: string[];
  permissions: string[];
}

/**
 * Checks a plugin module against its manifest before it is accepted, listing every problem
 * found (not just the first). Nothing is instantiated.
 */
export function inspectModule(bytes: Uint8Array, expected: InspectExpectations): InspectReport {
  const report: InspectReport = {
    ok: false,
    problems: [],
    exports: [],
    imports: [],
    requiredPermissions: [],
    memory: null,
  };
  const problems = report.problems;
  if (!WebAssembly.validate(bytes as BufferSource)) {
    problems.push({ code: 'INVALID_WASM', message: 'the bytes are not a valid WebAssembly module' });
    return report;
  }
  let summary: WasmSummary;
  try {
    summary = readWasmSummary(bytes);
  } catch (err) {
    problems.push({ code: 'INVALID_WASM', message: (err as Error).message });
    return report;
  }
  report.exports = summary.exports.map(({ name, kind }) => ({ name, kind }));
  report.imports = summary.imports.map(({ module, name, kind }) => ({ module, name, kind }));
  checkExports(summary, expected, problems);
  checkMemory(summary, report);
  const entries = summary.tables.reduce((n, t) => n + t.min, 0);
  if (entries > MAX_TABLE_ENTRIES) {
    problems.push({
      code: 'TABLE_TOO_LARGE',
      message: `the module's tables start with ${entries} entries; at most ${MAX_TABLE_ENTRIES} are allowed`,
    });
  }
  for (const p of expected.permissions) {
    if (!isPermission(p)) {
      problems.push({ code: 'UNKNOWN_PERMISSION', message: `unknown permission "${p}"` });
    }
  }
  const required = new Set<string>();
  for (const imp of summary.imports) {
    const label = `${imp.module}.${imp.name}`;
    const verdict = classifyImport(imp);
    if (!verdict.ok) {
      problems.push({ code: verdict.code, message: verdict.message, import: label });
    } else if (verdict.permission) {
      required.add(verdict.permission);
      if (!grantsCover(expected.permissions, verdict.permission)) {
        const needs =
          verdict.permission === HTTP_PERMISSION_KIND
            ? 'an "http:<host>" permission'
            : `permission "${verdict.permission}"`;
        problems.push({
          code: 'IMPORT_NOT_DECLARED',
          message: `${label} needs ${needs}, which the manifest does not declare`,
          import: label,
        });
      }
    }
  }
  report.requiredPermissions = [...required];
  report.ok = problems.length === 0;
  return report;
}

function checkExports(summary: WasmSummary, expected: InspectExpectations, problems: InspectProblem[]): void {
  const byName = new Map(summary.exports.map((e) => [e.name, e]));
  const wanted = [
    ...expected.functions.map((name) => ({ name, hook: null as string | null })),
    ...expected.hooks.map((hook) => ({ name: hookExportName(hook), hook })),
  ];
  for (const { name, hook } of wanted) {
    if (hook !== null && !(HOOKS as readonly string[]).includes(hook)) {
      problems.push({ code: 'UNKNOWN_HOOK', message: `unknown hook "${hook}"`, export: name });
    }
    const exp = byName.get(name);
    if (exp?.kind !== 'function') {
      const what = hook === null ? `declared function "${name}"` : `hook "${hook}" (export "${name}")`;
      problems.push({
        code: hook === null ? 'FUNCTION_NOT_EXPORTED' : 'HOOK_NOT_EXPORTED',
        message: `${what} is not exported`,
        export: name,
      });
      continue;
    }
    const type = summary.functionTypes[exp.index];
    // Extism calls exports with no arguments; the SDK's functions return an i32 status.
    if (!type || type.params.length > 0 || type.results.length > 1 || (type.results[0] && type.results[0] !== 'i32')) {
      problems.push({
        code: 'FUNCTION_SIGNATURE',
        message: `export "${name}" must take no parameters and return an i32 status`,
        export: name,
      });
    }
  }
  for (const e of summary.exports) {
    if (e.name.startsWith(RESERVED_EXPORT_PREFIX)) {
      problems.push({
        code: 'RESERVED_EXPORT',
        message: `export "${e.name}" uses the reserved prefix ${RESERVED_EXPORT_PREFIX}`,
        export: e.name,
      });
    }
  }
}

function checkMemory(summary: WasmSummary, report: InspectReport): void {
  const imported = summary.imports.filter((i) => i.kind === 'memory');
  for (const i of imported) {
    report.problems.push({
      code: 'MEMORY_IMPORTED',
      message: `memory ${i.module}.${i.name} is imported; the module must define its own`,
      import: `${i.module}.${i.name}`,
    });
  }
  if (summary.memories.length === 0) {
    if (imported.length === 0)
      report.problems.push({ code: 'MEMORY_MISSING', message: 'the module defines no memory' });
    return;
  }
  if (summary.memories.length > 1) {
    report.problems.push({ code: 'MEMORY_UNSUPPORTED', message: 'the module defines more than one memory' });
  }
  const mem = summary.memories[0];
  if (mem.memory64) report.problems.push({ code: 'MEMORY_UNSUPPORTED', message: 'memory64 is not supported' });
  if (mem.shared) report.problems.push({ code: 'MEMORY_UNSUPPORTED', message: 'shared memory is not supported' });
  report.memory = { minPages: mem.min, maxPages: mem.max };
}
