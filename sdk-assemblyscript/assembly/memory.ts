// Moves bytes between the plugin's linear memory and Extism's kernel memory, where every
// host-function argument and result lives. as-pdk's own helpers copy one byte per host call;
// these copy eight at a time, which matters for kilobyte-sized clips and outputs.
import { alloc, free, length, load_u64, load_u8, store_u64, store_u8 } from '@extism/as-pdk/lib/env';

/** Copies `bytes` into a fresh kernel block and returns its offset. */
export function storeBytes(bytes: Uint8Array): u64 {
  const size = bytes.length;
  const offset = alloc(<u64>size);
  const words = size >>> 3;
  const base = bytes.dataStart;
  for (let i = 0; i < words; i++) {
    store_u64(offset + <u64>(i << 3), load<u64>(base + ((<usize>i) << 3)));
  }
  for (let i = words << 3; i < size; i++) {
    store_u8(offset + <u64>i, load<u8>(base + <usize>i));
  }
  return offset;
}

/** Encodes `text` as UTF-8 (never UTF-16 length: FACTS.md) into a fresh kernel block. */
export function storeString(text: string): u64 {
  return storeBytes(Uint8Array.wrap(String.UTF8.encode(text)));
}

/** Reads a kernel block; offset 0 means "no value". */
export function loadBytes(offset: u64): Uint8Array | null {
  if (offset == 0) return null;
  const size = <i32>length(offset);
  const bytes = new Uint8Array(size);
  const words = size >>> 3;
  const base = bytes.dataStart;
  for (let i = 0; i < words; i++) {
    store<u64>(base + ((<usize>i) << 3), load_u64(offset + <u64>(i << 3)));
  }
  for (let i = words << 3; i < size; i++) {
    store<u8>(base + <usize>i, load_u8(offset + <u64>i));
  }
  return bytes;
}

/** Reads a kernel block as UTF-8 text and frees it, since nothing else refers to it. */
export function takeString(offset: u64): string | null {
  const bytes = loadBytes(offset);
  if (bytes == null) return null;
  free(offset);
  return String.UTF8.decode(bytes.buffer);
}

/** Reads a kernel block as bytes and frees it. */
export function takeBytes(offset: u64): Uint8Array | null {
  const bytes = loadBytes(offset);
  if (bytes != null) free(offset);
  return bytes;
}

/** Frees a block the plugin allocated once the host has read it. */
export function release(offset: u64): void {
  free(offset);
}
