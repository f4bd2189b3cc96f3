// Per-installation key/value storage (permission `kv`). Writes are buffered by the platform and
// applied only if the call succeeds, so a failing call leaves no partial state.
import { host_kv_delete, host_kv_get, host_kv_set } from './host';
import { release, storeBytes, storeString, takeBytes } from './memory';
import { Value, stringify } from './json-value';
import { parse } from './json-read';

export namespace kv {
  /** The stored bytes, or null when `key` is absent. */
  export function get(key: string): Uint8Array | null {
    const k = storeString(key);
    const bytes = takeBytes(host_kv_get(k));
    release(k);
    return bytes;
  }

  /** Stores bytes under `key`. Aborts the call when the quota or the key is refused. */
  export function set(key: string, value: Uint8Array): void {
    const k = storeString(key);
    const v = storeBytes(value);
    const status = host_kv_set(k, v);
    release(v);
    release(k);
    if (status == 1) abort("kv: installation quota exceeded writing '" + key + "'");
    if (status != 0) abort("kv: invalid key '" + key + "'");
  }

  /** Removes `key`; returns whether it existed. */
  export function remove(key: string): bool {
    const k = storeString(key);
    const removed = host_kv_delete(k);
    release(k);
    return removed == 1;
  }

  export function getString(key: string): string | null {
    const bytes = get(key);
    return bytes == null ? null : String.UTF8.decode(bytes.buffer);
  }
  export function setString(key: string, value: string): void {
    set(key, Uint8Array.wrap(String.UTF8.encode(value)));
  }

  /** The stored value parsed as JSON; null when absent or not JSON. */
  export function getJson(key: string): Value | null {
    const text = getString(key);
    return text == null ? null : parse(text);
  }
  export function setJson(key: string, value: Value): void {
    setString(key, stringify(value));
  }
}
