import { RESERVED_EXPORT_PREFIX } from '../abi.ts';

/** Callable entry points of a module: exported functions outside the runtime's reserved names. */
export function callableExports(module: WebAssembly.Module): Set<string> {
  const names = WebAssembly.Module.exports(module)
    .filter((e) => e.kind === 'function' && !e.name.startsWith(RESERVED_EXPORT_PREFIX))
    .map((e) => e.name);
  return new Set(names);
}
