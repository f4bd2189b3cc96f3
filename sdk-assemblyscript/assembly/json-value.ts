// A small JSON document model: one class for every kind, because AssemblyScript has no union
// types. Objects keep insertion order (keys array) so serialised output is stable.
import { formatNumber, Writer } from './json-write';

export enum Kind {
  Null,
  Bool,
  Number,
  String,
  Array,
  Object,
}

// Scalars share these empty containers: allocating a Map and two arrays per number or string
// made values ~10x more expensive in fuel. Only arrays and objects get their own.
const NO_ITEMS = new Array<Value>(0);
const NO_KEYS = new Array<string>(0);

export class Value {
  kind: Kind = Kind.Null;
  bool: bool = false;
  num: f64 = 0;
  str: string = '';
  /** Array elements (read-only unless this is an array: use `push`). */
  items: Array<Value> = NO_ITEMS;
  /** Object keys in insertion order (read-only: use `set` and `remove`). */
  keys: Array<string> = NO_KEYS;
  /** Internal lookup table for `get`/`set`; null unless this is an object. */
  fields: Map<string, Value> | null = null;

  isNull(): bool {
    return this.kind == Kind.Null;
  }
  isBool(): bool {
    return this.kind == Kind.Bool;
  }
  isNumber(): bool {
    return this.kind == Kind.Number;
  }
  isString(): bool {
    return this.kind == Kind.String;
  }
  isArray(): bool {
    return this.kind == Kind.Array;
  }
  isObject(): bool {
    return this.kind == Kind.Object;
  }

  /** The string, or `fallback` when this is not a string. */
  asString(fallback: string = ''): string {
    return this.kind == Kind.String ? this.str : fallback;
  }
  /** The number, or `fallback` when this is not a number. */
  asNumber(fallback: f64 = 0): f64 {
    return this.kind == Kind.Number ? this.num : fallback;
  }
  /** The boolean, or `fallback` when this is not a boolean. */
  asBool(fallback: bool = false): bool {
    return this.kind == Kind.Bool ? this.bool : fallback;
  }
  /** The elements, or an empty array when this is not an array. */
  asArray(): Array<Value> {
    return this.kind == Kind.Array ? this.items : [];
  }

  /** Object member, or null when absent or when this is not an object. */
  get(key: string): Value | null {
    const fields = this.fields;
    if (fields == null || !fields.has(key)) return null;
    return fields.get(key);
  }
  has(key: string): bool {
    const fields = this.fields;
    return fields != null && fields.has(key);
  }

  getString(key: string, fallback: string = ''): string {
    const v = this.get(key);
    return v == null ? fallback : v.asString(fallback);
  }
  getNumber(key: string, fallback: f64 = 0): f64 {
    const v = this.get(key);
    return v == null ? fallback : v.asNumber(fallback);
  }
  getBool(key: string, fallback: bool = false): bool {
    const v = this.get(key);
    return v == null ? fallback : v.asBool(fallback);
  }
  getArray(key: string): Array<Value> {
    const v = this.get(key);
    return v == null ? [] : v.asArray();
  }
  /** String elements of an array member; other elements are skipped. */
  getStrings(key: string): Array<string> {
    const out = new Array<string>();
    const items = this.getArray(key);
    for (let i = 0; i < items.length; i++) if (items[i].isString()) out.push(items[i].str);
    return out;
  }

  /** Sets an object member (turning a null value into an object); returns this for chaining. */
  set(key: string, value: Value): Value {
    if (this.kind == Kind.Null) becomeObject(this);
    assert(this.kind == Kind.Object, 'json: set() on a non-object');
    const fields = this.fields!;
    if (!fields.has(key)) this.keys.push(key);
    fields.set(key, value);
    return this;
  }
  setString(key: string, value: string): Value {
    return this.set(key, str(value));
  }
  setNumber(key: string, value: f64): Value {
    return this.set(key, num(value));
  }
  setBool(key: string, value: bool): Value {
    return this.set(key, boolean(value));
  }

  /** Removes an object member; returns whether it existed. */
  remove(key: string): bool {
    if (!this.has(key)) return false;
    this.fields!.delete(key);
    this.keys.splice(this.keys.indexOf(key), 1);
    return true;
  }

  /** Appends an array element (turning a null value into an array); returns this. */
  push(value: Value): Value {
    if (this.kind == Kind.Null) becomeArray(this);
    assert(this.kind == Kind.Array, 'json: push() on a non-array');
    this.items.push(value);
    return this;
  }

  toString(): string {
    return stringify(this);
  }
}

export function nul(): Value {
  return new Value();
}
export function boolean(b: bool): Value {
  const v = new Value();
  v.kind = Kind.Bool;
  v.bool = b;
  return v;
}
export function num(n: f64): Value {
  const v = new Value();
  v.kind = Kind.Number;
  v.num = n;
  return v;
}
export function str(s: string): Value {
  const v = new Value();
  v.kind = Kind.String;
  v.str = s;
  return v;
}
function becomeObject(v: Value): void {
  v.kind = Kind.Object;
  v.keys = new Array<string>();
  v.fields = new Map<string, Value>();
}

function becomeArray(v: Value): void {
  v.kind = Kind.Array;
  v.items = new Array<Value>();
}

export function object(): Value {
  const v = new Value();
  becomeObject(v);
  return v;
}
export function array(): Value {
  const v = new Value();
  becomeArray(v);
  return v;
}

export function strings(values: Array<string>): Value {
  const v = array();
  for (let i = 0; i < values.length; i++) v.items.push(str(values[i]));
  return v;
}
export function numbers(values: Array<f64>): Value {
  const v = array();
  for (let i = 0; i < values.length; i++) v.items.push(num(values[i]));
  return v;
}

/** Serialises a value to compact JSON. */
export function stringify(value: Value): string {
  const w = new Writer();
  write(value, w);
  return w.toString();
}

function write(v: Value, w: Writer): void {
  switch (v.kind) {
    case Kind.Null:
      w.text('null');
      break;
    case Kind.Bool:
      w.text(v.bool ? 'true' : 'false');
      break;
    case Kind.Number:
      w.text(formatNumber(v.num));
      break;
    case Kind.String:
      w.quoted(v.str);
      break;
    case Kind.Array: {
      w.unit(0x5b);
      for (let i = 0; i < v.items.length; i++) {
        if (i > 0) w.unit(0x2c);
        write(v.items[i], w);
      }
      w.unit(0x5d);
      break;
    }
    default: {
      w.unit(0x7b);
      for (let i = 0; i < v.keys.length; i++) {
        if (i > 0) w.unit(0x2c);
        w.quoted(v.keys[i]);
        w.unit(0x3a);
        write(v.get(v.keys[i])!, w);
      }
      w.unit(0x7d);
    }
  }
}
