import type { WasmValType } from '../abi.ts';

/**
 * A small reader for the parts of the Wasm binary format the runtime needs: types, imports (with
 * signatures, which `WebAssembly.Module.imports` does not give on Node 20), memories and exports.
 * It never executes anything and throws `WasmFormatError` on malformed input.
 */

export class WasmFormatError extends Error {}

export type ValType = WasmValType | 'f32' | 'f64' | 'v128' | 'funcref' | 'externref' | `0x${string}`;

export interface FuncType {
  params: ValType[];
  results: ValType[];
}

export interface MemoryLimits {
  min: number;
  max: number | null;
  shared: boolean;
  memory64: boolean;
}

export type WasmImport =
  | { module: string; name: string; kind: 'function'; type: FuncType }
  | { module: string; name: string; kind: 'memory'; limits: MemoryLimits }
  | { module: string; name: string; kind: 'table' | 'global' | 'tag' };

export interface WasmExport {
  name: string;
  kind: 'function' | 'table' | 'memory' | 'global' | 'tag';
  index: number;
}

export interface WasmSummary {
  types: FuncType[];
  imports: WasmImport[];
  exports: WasmExport[];
  /** Memories the module defines itself (the memory section). */
  memories: MemoryLimits[];
  /** Tables the module defines itself (the table section): element type and entry counts. */
  tables: { element: ValType; min: number; max: number | null }[];
  /** Byte range of the memory section (`headerStart` is its id byte), for rewriting its limits. */
  memorySection: { headerStart: number; start: number; end: number } | null;
  /** Type of every function, imported ones first (Wasm function index space). */
  functionTypes: FuncType[];
}

const VAL_TYPES: Record<number, ValType> = {
  // Type codes 0x7f, 0x7e, 0x7d, 0x7c, 0x7b, 0x70, 0x6f:
  127: 'i32',
  126: 'i64',
  125: 'f32',
  124: 'f64',
  123: 'v128',
  112: 'funcref',
  111: 'externref',
};
const EXPORT_KINDS = ['function', 'table', 'memory', 'global', 'tag'] as const;

export class Reader {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    pos = 0,
    readonly end = bytes.length,
  ) {
    this.pos = pos;
  }
  byte(): number {
    if (this.pos >= this.end) throw new WasmFormatError('unexpected end of module');
    return this.bytes[this.pos++];
  }
  /** Unsigned LEB128 up to 32 bits (enough for every count, index and limit we read). */
  u32(): number {
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
    }
    throw new WasmFormatError('LEB128 value too long');
  }
  /** Unsigned LEB128 up to 64 bits, as a JS number (memory64 limits). */
  u64(): number {
    let result = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
    }
    throw new WasmFormatError('LEB128 value too long');
  }
  name(): string {
    const len = this.u32();
    if (this.pos + len > this.end) throw new WasmFormatError('name runs past the end');
    const s = new TextDecoder('utf-8', { fatal: true }).decode(this.bytes.subarray(this.pos, this.pos + len));
    this.pos += len;
    return s;
  }
  valType(): ValType {
    const b = this.byte();
    return VAL_TYPES[b] ?? `0x${b.toString(16)}`;
  }
  limits(): MemoryLimits {
    const flags = this.byte();
    const memory64 = (flags & 0x04) !== 0;
    const read = () => (memory64 ? this.u64() : this.u32());
    const min = read();
    const max = flags & 0x01 ? read() : null;
    // Custom page sizes (flag 0x08) carry a log2 page size after the limits.
    if (flags & 0x08) this.u32();
    return { min, max, shared: (flags & 0x02) !== 0, memory64 };
  }
}

export function readWasmSummary(bytes: Uint8Array): WasmSummary {
  const r = new Reader(bytes);
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  for (const b of magic) if (r.byte() !== b) throw new WasmFormatError('not a Wasm module (bad magic or version)');
  const out: WasmSummary = {
    types: [],
    imports: [],
    exports: [],
    memories: [],
    tables: [],
    memorySection: null,
    functionTypes: [],
  };
  while (r.pos < r.end) {
    const headerStart = r.pos;
    const id = r.byte();
    const size = r.u32();
    const start = r.pos;
    const end = start + size;
    if (end > bytes.length) throw new WasmFormatError(`section ${id} runs past the end`);
    const s = new Reader(bytes, start, end);
    if (id === 1) readTypes(s, out);
    else if (id === 2) readImports(s, out);
    else if (id === 3) for (let n = s.u32(); n > 0; n--) out.functionTypes.push(typeAt(out, s.u32()));
    else if (id === 4) {
      for (let n = s.u32(); n > 0; n--) {
        // 0x40 0x00 starts a table with an init expression (typed function references): not supported.
        if (s.bytes[s.pos] === 0x40) throw new WasmFormatError('tables with initialisers are not supported');
        const element = s.valType();
        const { min, max } = s.limits();
        out.tables.push({ element, min, max });
      }
    } else if (id === 5) {
      out.memorySection = { headerStart, start, end };
      for (let n = s.u32(); n > 0; n--) out.memories.push(s.limits());
    } else if (id === 7) {
      for (let n = s.u32(); n > 0; n--) {
        const name = s.name();
        const kind = EXPORT_KINDS[s.byte()] ?? 'tag';
        out.exports.push({ name, kind, index: s.u32() });
      }
    }
    r.pos = end;
  }
  return out;
}

function typeAt(out: WasmSummary, index: number): FuncType {
  const t = out.types[index];
  if (!t) throw new WasmFormatError(`type index ${index} out of range`);
  return t;
}

function readTypes(s: Reader, out: WasmSummary): void {
  for (let n = s.u32(); n > 0; n--) {
    const form = s.byte();
    // Anything but a plain func type (GC rec groups, structs) is outside what Plugboard runs.
    if (form !== 0x60)
      throw new WasmFormatError(`unsupported type form 0x${form.toString(16)} (GC types are not supported)`);
    const params: ValType[] = [];
    for (let p = s.u32(); p > 0; p--) params.push(s.valType());
    const results: ValType[] = [];
    for (let q = s.u32(); q > 0; q--) results.push(s.valType());
    out.types.push({ params, results });
  }
}

function readImports(s: Reader, out: WasmSummary): void {
  for (let n = s.u32(); n > 0; n--) {
    const module = s.name();
    const name = s.name();
    const kind = s.byte();
    if (kind === 0x00) {
      const type = typeAt(out, s.u32());
      out.imports.push({ module, name, kind: 'function', type });
      out.functionTypes.push(type);
    } else if (kind === 0x01) {
      s.byte();
      s.limits();
      out.imports.push({ module, name, kind: 'table' });
    } else if (kind === 0x02) {
      out.imports.push({ module, name, kind: 'memory', limits: s.limits() });
    } else if (kind === 0x03) {
      s.valType();
      s.byte();
      out.imports.push({ module, name, kind: 'global' });
    } else if (kind === 0x04) {
      s.byte();
      s.u32();
      out.imports.push({ module, name, kind: 'tag' });
    } else throw new WasmFormatError(`unknown import kind ${kind} for ${module}.${name}`);
  }
}
