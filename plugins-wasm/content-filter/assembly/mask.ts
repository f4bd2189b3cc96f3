// Case-insensitive keyword masking. Case folding covers ASCII and Latin-1 letters one code unit
// at a time, so a match's position in the folded text is its position in the original.

function fold(c: i32): i32 {
  if (c >= 0x41 && c <= 0x5a) return c + 32;
  if (c >= 0xc0 && c <= 0xde && c != 0xd7) return c + 32;
  return c;
}

function isWordChar(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c == 0x5f || c >= 0x80;
}

function matchesAt(text: string, at: i32, keyword: string): bool {
  for (let j = 0; j < keyword.length; j++) {
    if (fold(text.charCodeAt(at + j)) != fold(keyword.charCodeAt(j))) return false;
  }
  return true;
}

export class Masked {
  constructor(
    public text: string,
    public hits: Map<string, i32>,
  ) {}
}

/** Masks every occurrence of each keyword with `mask`, counting hits per keyword. */
export function maskText(text: string, keywords: Array<string>, mask: string, wholeWords: bool): Masked {
  const hits = new Map<string, i32>();
  const masked = new Array<bool>(text.length);
  for (let k = 0; k < keywords.length; k++) {
    const kw = keywords[k];
    if (kw.length == 0) continue;
    for (let i = 0; i + kw.length <= text.length; i++) {
      if (!matchesAt(text, i, kw)) continue;
      if (wholeWords) {
        if (i > 0 && isWordChar(text.charCodeAt(i - 1))) continue;
        const after = i + kw.length;
        if (after < text.length && isWordChar(text.charCodeAt(after))) continue;
      }
      for (let j = 0; j < kw.length; j++) masked[i + j] = true;
      hits.set(kw, (hits.has(kw) ? hits.get(kw) : 0) + 1);
      i += kw.length - 1;
    }
  }
  if (hits.size == 0) return new Masked(text, hits);
  const parts = new Array<string>();
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    if (i < text.length && !masked[i]) continue;
    parts.push(text.substring(start, i));
    if (i < text.length) parts.push(mask);
    start = i + 1;
  }
  return new Masked(parts.join(''), hits);
}
