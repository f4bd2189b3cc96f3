// JSON serialisation into one growing UTF-16 buffer. Collecting parts in an Array<string> was
// quadratic under the incremental GC (each push onto the already-marked array re-greys it, and
// it is re-scanned whole). Whole numbers print without a fraction ("3", not "3.0"); NaN and
// infinities become null, as in JavaScript. This file knows nothing of the document model.

/** Appends JSON text; the document model (json-value.ts) walks itself into one. */
export class Writer {
  buf: ArrayBuffer = new ArrayBuffer(256);
  len: i32 = 0; // in code units

  private reserve(units: i32): void {
    const need = (this.len + units) << 1;
    if (need <= this.buf.byteLength) return;
    const grown = new ArrayBuffer(max(need, this.buf.byteLength << 1));
    memory.copy(changetype<usize>(grown), changetype<usize>(this.buf), <usize>(this.len << 1));
    this.buf = grown;
  }

  unit(c: i32): void {
    this.reserve(1);
    store<u16>(changetype<usize>(this.buf) + ((<usize>this.len) << 1), <u16>c);
    this.len++;
  }

  text(s: string): void {
    const n = s.length;
    this.reserve(n);
    memory.copy(changetype<usize>(this.buf) + ((<usize>this.len) << 1), changetype<usize>(s), <usize>(n << 1));
    this.len += n;
  }

  quoted(s: string): void {
    this.unit(0x22);
    let start = 0;
    const n = s.length;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x20 && c != 0x22 && c != 0x5c) continue;
      this.text(s.substring(start, i));
      this.escape(c);
      start = i + 1;
    }
    this.text(start == 0 ? s : s.substring(start));
    this.unit(0x22);
  }

  private escape(c: i32): void {
    this.unit(0x5c);
    if (c == 0x22 || c == 0x5c) this.unit(c);
    else if (c == 0x0a) this.unit(0x6e);
    else if (c == 0x0d) this.unit(0x72);
    else if (c == 0x09) this.unit(0x74);
    else {
      this.text('u00');
      this.unit(HEX.charCodeAt(c >> 4));
      this.unit(HEX.charCodeAt(c & 15));
    }
  }

  toString(): string {
    return String.UTF16.decodeUnsafe(changetype<usize>(this.buf), <usize>(this.len << 1));
  }
}

const HEX = '0123456789abcdef';

export function formatNumber(n: f64): string {
  if (!Number.isFinite(n)) return 'null';
  if (n == Math.floor(n) && Math.abs(n) < 9007199254740992.0) return (<i64>n).toString();
  return n.toString();
}
