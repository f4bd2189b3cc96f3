// The call's input and output. Both are UTF-8 on the wire; output sizes come from the encoded
// bytes, never from `string.length` (as-pdk's outputString gets this wrong: FACTS.md).
import { input_length, input_load_u64, input_load_u8, output_set } from '@extism/as-pdk/lib/env';
import { storeBytes } from './memory';
import { Value, stringify } from './json-value';
import { parse } from './json-read';

export namespace input {
  /** The raw input bytes. */
  export function bytes(): Uint8Array {
    const size = <i32>input_length();
    const out = new Uint8Array(size);
    const base = out.dataStart;
    const words = size >>> 3;
    for (let i = 0; i < words; i++) store<u64>(base + ((<usize>i) << 3), input_load_u64(<u64>(i << 3)));
    for (let i = words << 3; i < size; i++) store<u8>(base + <usize>i, input_load_u8(<u64>i));
    return out;
  }

  /** The input decoded as UTF-8. */
  export function text(): string {
    return String.UTF8.decode(bytes().buffer);
  }

  /** The input parsed as JSON; null when empty or malformed (see `json.lastError()`). */
  export function json(): Value | null {
    return parse(text());
  }
}

export namespace output {
  /** Sets the call's output bytes (the last call wins). */
  export function bytes(data: Uint8Array): void {
    output_set(storeBytes(data), <u64>data.length);
  }

  /** Sets the output to `text`, UTF-8 encoded. */
  export function text(value: string): void {
    bytes(Uint8Array.wrap(String.UTF8.encode(value)));
  }

  /** Sets the output to the JSON serialisation of `value`. */
  export function json(value: Value): void {
    text(stringify(value));
  }
}
