// Tag derivation from a clip's technical fields. Tags are lowercase kebab-case so they match
// the marketplace's tag filters regardless of how the capture client spelled the game, and stay
// within the server's tag rules (start with a letter or digit; letters, digits, _ . + # - only;
// at most 40 characters), since the server drops a patch with an invalid tag.
import { Clip } from '@plugboard/sdk';

const MAX_TAG = 40;

export class Rules {
  prefix: string = '';
  shortMaxMs: f64 = 30000;
  longMinMs: f64 = 120000;
}

/** Letters and digits the server accepts in tags; everything else separates words. */
function isTagChar(c: i32): bool {
  if ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a)) return true;
  if (c >= 0xc0 && c <= 0x24f) return c != 0xd7 && c != 0xf7; // Latin letters, not × ÷
  if (c >= 0x370 && c <= 0x52f) return true; // Greek, Cyrillic
  if (c >= 0x3040 && c <= 0x9fff) return true; // kana, CJK ideographs
  return c >= 0xac00 && c <= 0xd7af; // Hangul
}

/** "Counter-Strike 2" -> "counter-strike-2"; empty when nothing alphanumeric remains. */
export function slugify(text: string): string {
  const lower = text.toLowerCase();
  let out = '';
  let dash = false;
  for (let i = 0; i < lower.length; i++) {
    const c = lower.charCodeAt(i);
    if (isTagChar(c)) {
      if (dash && out.length > 0) out += '-';
      out += String.fromCharCode(c);
      dash = false;
    } else {
      dash = true;
    }
  }
  return out;
}

function resolutionTag(width: i32, height: i32): string {
  // The short side decides, so vertical 1080x1920 clips are still 1080p.
  const side = min(width, height);
  if (side <= 0) return '';
  if (side >= 2160) return '4k';
  if (side >= 1440) return '1440p';
  if (side >= 1080) return '1080p';
  if (side >= 720) return '720p';
  return 'sd';
}

function fpsTag(fps: f64): string {
  if (fps <= 0) return '';
  if (fps >= 119) return 'high-fps';
  if (fps >= 59) return '60fps';
  return '30fps';
}

export function deriveTags(c: Clip, r: Rules): Array<string> {
  const tags = new Array<string>();
  const game = slugify(c.game);
  if (game.length > 0) tags.push(game);
  const res = resolutionTag(c.width, c.height);
  if (res.length > 0) tags.push(res);
  const fps = fpsTag(c.fps);
  if (fps.length > 0) tags.push(fps);
  if (c.durationMs > 0) {
    if (c.durationMs <= r.shortMaxMs) tags.push('short');
    else if (c.durationMs >= r.longMinMs) tags.push('long');
    else tags.push('medium');
  }
  if (c.height > c.width && c.width > 0) tags.push('vertical');
  for (let i = 0; i < tags.length; i++) {
    let tag = r.prefix + tags[i];
    if (tag.length > MAX_TAG) tag = tag.substring(0, MAX_TAG);
    // A slug cut at the limit may end in a dash; trailing dashes are valid but untidy.
    while (tag.endsWith('-')) tag = tag.substring(0, tag.length - 1);
    tags[i] = tag;
  }
  return tags;
}
