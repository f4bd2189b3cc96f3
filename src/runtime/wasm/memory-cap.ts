import { readWasmSummary, WasmFormatError } from './wasm-binary.ts';

/** Wasm page size: 64 KiB. */
export const WASM_PAGE_BYTES = 65_536;

function leb(value: number): number[] {
  const out: number[] = [];
  do {
    let b = value & 0x7f;
    value = Math.floor(value / 128);
    if (value !== 0) b |= 0x80;
    out.push(b);
  } while (value !== 0);
  return out;
}

/**
 * Rewrites the maximum of the module's own memory to `maxPages` (or keeps a smaller existing
 * maximum). binaryen cannot change an existing memory's maximum, and the Extism SDK's `maxPages`
 * only limits its own buffers, so this edits the memory section bytes directly.
 */
export function capMemory(bytes: Uint8Array, maxPages: number): Uint8Array {
  const summary = readWasmSummary(bytes);
  const section = summary.memorySection;
  if (!section || summary.memories.length !== 1) {
    throw new WasmFormatError('the module must define exactly one memory of its own');
  }
  const mem = summary.memories[0];
  if (mem.memory64 || mem.shared) throw new WasmFormatError('64-bit and shared memories are not supported');
  if (mem.min > maxPages) {
    throw new WasmFormatError(`the module needs ${mem.min} pages of memory at start, more than the cap of ${maxPages}`);
  }
  const max = mem.max === null ? maxPages : Math.min(mem.max, maxPages);
  const payload = [1, 0x01, ...leb(mem.min), ...leb(max)];
  const header = [5, ...leb(payload.length)];
  const out = new Uint8Array(bytes.length - (section.end - section.headerStart) + header.length + payload.length);
  out.set(bytes.subarray(0, section.headerStart), 0);
  out.set([...header, ...payload], section.headerStart);
  out.set(bytes.subarray(section.end), section.headerStart + header.length + payload.length);
  return out;
}
