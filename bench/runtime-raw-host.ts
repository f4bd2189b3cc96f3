/**
 * The smallest host that runs an Extism-ABI plugin with plain `WebAssembly`: blocks in a list,
 * input and output by index, every log/config/var a no-op. The bench's floor for a call.
 */
const IDX_SHIFT = 48n;

export async function rawInstance(bytes: Uint8Array) {
  let blocks: (Uint8Array | null)[] = [null];
  let input = 0;
  let output = 0;
  const block = (addr: bigint) => blocks[Number(addr >> IDX_SHIFT)] ?? new Uint8Array(0);
  const off = (addr: bigint) => Number(addr & ((1n << IDX_SHIFT) - 1n));
  const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
  const env = {
    alloc: (n: bigint) => BigInt(blocks.push(new Uint8Array(Number(n))) - 1) << IDX_SHIFT,
    free: (a: bigint) => {
      blocks[Number(a >> IDX_SHIFT)] = null;
    },
    length: (a: bigint) => BigInt(block(a).length),
    length_unsafe: (a: bigint) => BigInt(block(a).length),
    load_u8: (a: bigint) => block(a)[off(a)],
    load_u64: (a: bigint) => view(block(a)).getBigUint64(off(a), true),
    store_u8: (a: bigint, v: number) => {
      block(a)[off(a)] = v;
    },
    store_u64: (a: bigint, v: bigint) => view(block(a)).setBigUint64(off(a), v, true),
    input_offset: () => BigInt(input) << IDX_SHIFT,
    input_length: () => BigInt(blocks[input]!.length),
    input_load_u8: (a: bigint) => blocks[input]![off(a)],
    input_load_u64: (a: bigint) => view(blocks[input]!).getBigUint64(off(a), true),
    output_set: (a: bigint) => {
      output = Number(a >> IDX_SHIFT);
    },
    error_set: () => {},
    config_get: () => 0n,
    var_get: () => 0n,
    var_set: () => {},
    log_info: () => {},
    log_debug: () => {},
    log_warn: () => {},
    log_error: () => {},
  };
  const { instance } = await WebAssembly.instantiate(bytes as BufferSource, { 'extism:host/env': env });
  const setFuel = instance.exports.__plugboard_fuel_set as ((fuel: bigint) => void) | undefined;
  return {
    call(fn: string, data: Uint8Array): Uint8Array | null {
      blocks = [null, data];
      input = 1;
      output = 0;
      setFuel?.(1n << 62n);
      (instance.exports[fn] as () => number)();
      return output ? blocks[output] : null;
    },
  };
}
