// A strict JSON parser (RFC 8259) over UTF-16 code units. Malformed input yields null and a
// message in `lastError`, because AssemblyScript cannot catch exceptions.
import { Value, array, boolean, nul, num, object, str } from './json-value';

/** Why the last `parse` returned null. */
export let lastError: string = '';

// Nesting deeper than this is refused instead of overflowing the stack.
const MAX_DEPTH = 256;

class Reader {
  pos: i32 = 0;
  error: string = '';
  constructor(public text: string) {}

  fail(message: string): Value | null {
    if (this.error.length == 0) this.error = message + ' at offset ' + this.pos.toString();
    return null;
  }
  skip(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09) break;
      this.pos++;
    }
  }
  literal(word: string, v: Value): Value | null {
    if (this.text.substr(this.pos, word.length) != word) return this.fail('unexpected token');
    this.pos += word.length;
    return v;
  }
}

export function parse(text: string): Value | null {
  const r = new Reader(text);
  const v = value(r, 0);
  if (v != null) {
    r.skip();
    if (r.pos != text.length) {
      r.fail('trailing characters');
      lastError = r.error;
      return null;
    }
    lastError = '';
    return v;
  }
  lastError = r.error;
  return null;
}

function value(r: Reader, depth: i32): Value | null {
  if (depth > MAX_DEPTH) return r.fail('nesting too deep');
  r.skip();
  if (r.pos >= r.text.length) return r.fail('unexpected end');
  const c = r.text.charCodeAt(r.pos);
  if (c == 0x7b) return objectValue(r, depth);
  if (c == 0x5b) return arrayValue(r, depth);
  if (c == 0x22) {
    const s = stringLiteral(r);
    return s == null ? null : str(s);
  }
  if (c == 0x74) return r.literal('true', boolean(true));
  if (c == 0x66) return r.literal('false', boolean(false));
  if (c == 0x6e) return r.literal('null', nul());
  return numberValue(r);
}

function objectValue(r: Reader, depth: i32): Value | null {
  const v = object();
  r.pos++;
  r.skip();
  if (r.pos < r.text.length && r.text.charCodeAt(r.pos) == 0x7d) {
    r.pos++;
    return v;
  }
  while (true) {
    r.skip();
    if (r.pos >= r.text.length || r.text.charCodeAt(r.pos) != 0x22) return r.fail('expected a key');
    const key = stringLiteral(r);
    if (key == null) return null;
    r.skip();
    if (r.pos >= r.text.length || r.text.charCodeAt(r.pos) != 0x3a) return r.fail("expected ':'");
    r.pos++;
    const member = value(r, depth + 1);
    if (member == null) return null;
    v.set(key, member);
    r.skip();
    if (r.pos >= r.text.length) return r.fail('unexpected end');
    const c = r.text.charCodeAt(r.pos++);
    if (c == 0x7d) return v;
    if (c != 0x2c) {
      r.pos--;
      return r.fail("expected ',' or '}'");
    }
  }
}

function arrayValue(r: Reader, depth: i32): Value | null {
  const v = array();
  r.pos++;
  r.skip();
  if (r.pos < r.text.length && r.text.charCodeAt(r.pos) == 0x5d) {
    r.pos++;
    return v;
  }
  while (true) {
    const item = value(r, depth + 1);
    if (item == null) return null;
    v.items.push(item);
    r.skip();
    if (r.pos >= r.text.length) return r.fail('unexpected end');
    const c = r.text.charCodeAt(r.pos++);
    if (c == 0x5d) return v;
    if (c != 0x2c) {
      r.pos--;
      return r.fail("expected ',' or ']'");
    }
  }
}

function stringLiteral(r: Reader): string | null {
  const t = r.text;
  r.pos++;
  let out = '';
  let start = r.pos;
  while (r.pos < t.length) {
    const c = t.charCodeAt(r.pos);
    if (c == 0x22) {
      out += t.substring(start, r.pos);
      r.pos++;
      return out;
    }
    if (c < 0x20) {
      r.fail('control character in string');
      return null;
    }
    if (c != 0x5c) {
      r.pos++;
      continue;
    }
    out += t.substring(start, r.pos);
    if (r.pos + 1 >= t.length) break;
    const e = t.charCodeAt(r.pos + 1);
    r.pos += 2;
    if (e == 0x22) out += '"';
    else if (e == 0x5c) out += '\\';
    else if (e == 0x2f) out += '/';
    else if (e == 0x62) out += '\b';
    else if (e == 0x66) out += '\f';
    else if (e == 0x6e) out += '\n';
    else if (e == 0x72) out += '\r';
    else if (e == 0x74) out += '\t';
    else if (e == 0x75) {
      const code = hex4(t, r.pos);
      if (code < 0) {
        r.fail('bad \\u escape');
        return null;
      }
      // Surrogate halves are appended as they come: AssemblyScript strings are UTF-16 too.
      out += String.fromCharCode(code);
      r.pos += 4;
    } else {
      r.pos -= 2;
      r.fail('bad escape');
      return null;
    }
    start = r.pos;
  }
  r.fail('unterminated string');
  return null;
}

function hex4(t: string, at: i32): i32 {
  if (at + 4 > t.length) return -1;
  let code = 0;
  for (let i = 0; i < 4; i++) {
    const c = t.charCodeAt(at + i);
    let d = -1;
    if (c >= 0x30 && c <= 0x39) d = c - 0x30;
    else if (c >= 0x61 && c <= 0x66) d = c - 0x57;
    else if (c >= 0x41 && c <= 0x46) d = c - 0x37;
    if (d < 0) return -1;
    code = (code << 4) | d;
  }
  return code;
}

function numberValue(r: Reader): Value | null {
  const t = r.text;
  const start = r.pos;
  if (r.pos < t.length && t.charCodeAt(r.pos) == 0x2d) r.pos++;
  const intStart = r.pos;
  if (!digits(r)) return r.fail('unexpected token');
  if (t.charCodeAt(intStart) == 0x30 && r.pos - intStart > 1) return r.fail('leading zero');
  if (r.pos < t.length && t.charCodeAt(r.pos) == 0x2e) {
    r.pos++;
    if (!digits(r)) return r.fail("expected digits after '.'");
  }
  if (r.pos < t.length && (t.charCodeAt(r.pos) | 0x20) == 0x65) {
    r.pos++;
    if (r.pos < t.length && (t.charCodeAt(r.pos) == 0x2b || t.charCodeAt(r.pos) == 0x2d)) r.pos++;
    if (!digits(r)) return r.fail('expected exponent digits');
  }
  return num(parseFloat(t.substring(start, r.pos)));
}

function digits(r: Reader): bool {
  const from = r.pos;
  while (r.pos < r.text.length) {
    const c = r.text.charCodeAt(r.pos);
    if (c < 0x30 || c > 0x39) break;
    r.pos++;
  }
  return r.pos > from;
}
