// The installation's validated config (permission `config`). The host returns each key's JSON
// value, so numbers, booleans, arrays and objects arrive typed.
import { host_config_get } from './host';
import { release, storeString, takeString } from './memory';
import { Value } from './json-value';
import { parse } from './json-read';

export namespace config {
  /** The JSON value of `key`, or null when it is unset. */
  export function get(key: string): Value | null {
    const keyOffset = storeString(key);
    const text = takeString(host_config_get(keyOffset));
    release(keyOffset);
    return text == null ? null : parse(text);
  }
  export function getString(key: string, fallback: string = ''): string {
    const v = get(key);
    return v == null ? fallback : v.asString(fallback);
  }
  export function getNumber(key: string, fallback: f64 = 0): f64 {
    const v = get(key);
    return v == null ? fallback : v.asNumber(fallback);
  }
  export function getBool(key: string, fallback: bool = false): bool {
    const v = get(key);
    return v == null ? fallback : v.asBool(fallback);
  }
  /** String elements of an array value; empty when unset. */
  export function getStrings(key: string): Array<string> {
    const out = new Array<string>();
    const v = get(key);
    if (v == null) return out;
    const items = v.asArray();
    for (let i = 0; i < items.length; i++) if (items[i].isString()) out.push(items[i].str);
    return out;
  }
}
