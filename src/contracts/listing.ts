export const TAG_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N} _.+#-]*$/u;
const LICENSE = /^[A-Za-z0-9.+-]{1,64}$/;
const CATEGORY = /^[a-z0-9][a-z0-9-]{0,39}$/;
const FUNCTION = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_TAGS = 10;
const MAX_EXAMPLES = 10;
/** An example's `input` or `output`, as JSON. */
const MAX_EXAMPLE_VALUE_BYTES = 4096;

/** One worked example a listing shows: which function, what goes in, what comes out. */
export interface ManifestExample {
  title: string;
  function?: string;
  description?: string;
  input?: unknown;
  output?: unknown;
}

/** Listing fields a plugin.json may carry next to the contract (the marketplace page's text). */
export interface ManifestListing {
  name?: string;
  summary?: string;
  description?: string;
  category?: string;
  tags?: string[];
  license?: string;
  examples?: ManifestExample[];
}

type Add = (field: string, code: string, message: string) => void;

const EXAMPLE_TEXT = { title: 100, description: 1000 } as const;

/**
 * Checks and bounds the listing fields a manifest carries: every field has a length or count
 * limit, so a stored manifest (served with every version) stays small.
 */
export function checkListing(raw: Record<string, unknown>, add: Add): ManifestListing {
  const text = (key: keyof ManifestListing, max: number, pattern?: RegExp, hint?: string): void => {
    const value = raw[key];
    if (value === undefined) return;
    if (typeof value !== 'string') add(key, 'TYPE', 'must be a string');
    else if ([...value].length > max) add(key, 'TOO_LONG', `must be at most ${max} characters`);
    else if (pattern && !pattern.test(value)) add(key, 'PATTERN', hint ?? `must match ${pattern}`);
  };
  text('name', 100);
  text('summary', 200);
  text('description', 20_000);
  text('category', 40, CATEGORY, 'lower-case letters, digits and hyphens');
  text('license', 64, LICENSE, 'an SPDX identifier such as MIT or Apache-2.0');
  const tags = raw.tags;
  if (tags !== undefined) {
    if (!Array.isArray(tags)) add('tags', 'TYPE', 'must be an array of strings');
    else if (tags.length > MAX_TAGS) add('tags', 'TOO_MANY', `at most ${MAX_TAGS} tags`);
    else
      for (const [i, tag] of tags.entries())
        if (typeof tag !== 'string' || [...tag].length > 40 || !TAG_PATTERN.test(tag))
          add(`tags.${i}`, 'PATTERN', 'at most 40 letters, digits, spaces and _ . + # -');
  }
  const examples = raw.examples;
  if (examples !== undefined) {
    if (!Array.isArray(examples)) add('examples', 'TYPE', 'must be an array of examples');
    else if (examples.length > MAX_EXAMPLES) add('examples', 'TOO_MANY', `at most ${MAX_EXAMPLES} examples`);
    else for (const [i, example] of examples.entries()) checkExample(example, `examples.${i}`, add);
  }
  const listing: Record<string, unknown> = {};
  for (const key of ['name', 'summary', 'description', 'category', 'tags', 'license', 'examples'])
    if (raw[key] !== undefined) listing[key] = raw[key];
  return listing as ManifestListing;
}

function checkExample(example: unknown, at: string, add: Add): void {
  if (typeof example !== 'object' || example === null || Array.isArray(example)) {
    add(at, 'TYPE', 'must be an object with a title');
    return;
  }
  const e = example as Record<string, unknown>;
  for (const key of Object.keys(e))
    if (!['title', 'function', 'description', 'input', 'output'].includes(key))
      add(`${at}.${key}`, 'UNKNOWN_FIELD', 'is not an example field (title, function, description, input, output)');
  for (const [key, max] of Object.entries(EXAMPLE_TEXT)) {
    const value = e[key];
    if (value === undefined && key === 'description') continue;
    if (typeof value !== 'string' || value.length === 0 || [...value].length > max)
      add(`${at}.${key}`, 'TOO_LONG', `must be a string of 1 to ${max} characters`);
  }
  if (e.function !== undefined && !(typeof e.function === 'string' && FUNCTION.test(e.function)))
    add(`${at}.function`, 'PATTERN', 'must name an exported function');
  for (const key of ['input', 'output']) {
    if (e[key] === undefined) continue;
    const size = Buffer.byteLength(JSON.stringify(e[key]));
    if (size > MAX_EXAMPLE_VALUE_BYTES)
      add(`${at}.${key}`, 'TOO_LARGE', `is ${size} bytes of JSON; the limit is ${MAX_EXAMPLE_VALUE_BYTES}`);
  }
}
