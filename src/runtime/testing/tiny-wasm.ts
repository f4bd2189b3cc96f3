/**
 * Builds minimal Wasm modules byte by byte, for refusal cases AssemblyScript cannot express
 * (an imported memory, memory64, a huge table, arbitrary imports with chosen signatures).
 */
const VT = { i32: 0x7f, i64: 0x7e } as const;
type VT = keyof typeof VT;

function leb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}
const name = (s: string) => {
  const b = [...new TextEncoder().encode(s)];
  return [...leb(b.length), ...b];
};
const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
const vec = (items: number[][]) => [...leb(items.length), ...items.flat()];

export interface TinyModule {
  imports?: { module: string; name: string; params: VT[]; results: VT[] }[];
  importMemory?: { module: string; name: string };
  /** Defined memory: `memory64` sets the 64-bit flag. */
  memory?: { min: number; max?: number; memory64?: boolean } | null;
  /** A defined funcref table of this many entries. */
  table?: { min: number };
  /** Exported functions `() -> i32` returning 0. */
  exports?: string[];
}

export function tinyWasm({
  imports = [],
  importMemory,
  memory = { min: 1 },
  table,
  exports = [],
}: TinyModule): Uint8Array {
  const types = [
    ...imports.map((i) => [0x60, ...vec(i.params.map((p) => [VT[p]])), ...vec(i.results.map((r) => [VT[r]]))]),
    [0x60, 0, 1, VT.i32],
  ];
  const mainType = types.length - 1;
  const importEntries = imports.map((imp, idx) => [...name(imp.module), ...name(imp.name), 0x00, ...leb(idx)]);
  if (importMemory) importEntries.push([...name(importMemory.module), ...name(importMemory.name), 0x02, 0x00, 1]);
  const bytes = [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...section(1, vec(types))];
  if (importEntries.length) bytes.push(...section(2, vec(importEntries)));
  bytes.push(...section(3, vec(exports.map(() => leb(mainType)))));
  if (table) bytes.push(...section(4, vec([[0x70, 0x00, ...leb(table.min)]])));
  if (memory) {
    const flags = (memory.max !== undefined ? 1 : 0) | (memory.memory64 ? 4 : 0);
    bytes.push(...section(5, vec([[flags, ...leb(memory.min), ...(memory.max !== undefined ? leb(memory.max) : [])]])));
  }
  const fnBase = imports.length;
  bytes.push(
    ...section(
      7,
      vec([
        ...exports.map((e, i) => [...name(e), 0x00, ...leb(fnBase + i)]),
        ...(memory ? [[...name('memory'), 0x02, 0]] : []),
      ]),
    ),
  );
  const body = [0, 0x41, 0, 0x0b];
  bytes.push(...section(10, vec(exports.map(() => [...leb(body.length), ...body]))));
  return new Uint8Array(bytes);
}
