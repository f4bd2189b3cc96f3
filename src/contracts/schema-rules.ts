import { formatNames } from 'ajv-formats/dist/formats.js';
import type { Problem } from './problem.ts';

/** `uniqueItems` compares items pairwise: a config schema must bound such arrays this tightly. */
export const MAX_UNIQUE_ITEMS = 1000;
/** Schema nodes once every `$ref` is expanded: bounds compile time and the work per config value. */
export const MAX_SCHEMA_NODES = 2000;
/** Nesting of a config schema; deeper is refused before anything recurses into it. */
export const MAX_SCHEMA_DEPTH = 32;

/** The drafts a config schema may name in `$schema` (with or without the trailing `#`). */
export const SCHEMA_DRAFTS = {
  'http://json-schema.org/draft-07/schema': 'draft-07',
  'https://json-schema.org/draft/2019-09/schema': '2019-09',
  'https://json-schema.org/draft/2020-12/schema': '2020-12',
} as const;
export type SchemaDraft = (typeof SCHEMA_DRAFTS)[keyof typeof SCHEMA_DRAFTS];

// Keywords whose value is one schema, a map of names to schemas, or a list of schemas.
const ONE = new Set([
  'additionalProperties',
  'propertyNames',
  'additionalItems',
  'contains',
  'not',
  'if',
  'then',
  'else',
]);
const MAP = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas']);
const LIST = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
// Keywords whose value is data (checked by the meta-schema, never walked as a schema).
const DATA = new Set([
  ...['type', 'enum', 'const', 'default', 'examples', 'title', 'description', '$comment', 'required', 'format'],
  ...['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'multipleOf', 'minLength', 'maxLength'],
  ...['pattern', 'minItems', 'maxItems', 'uniqueItems', 'minContains', 'maxContains', 'minProperties'],
  ...['maxProperties', 'dependentRequired', 'readOnly', 'writeOnly', 'deprecated', 'dependencies', 'items', '$ref'],
]);
const FORMATS = new Set<string>(formatNames);
const REF = /^#\/(definitions|\$defs)\/([A-Za-z0-9_.-]{1,64})$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface SchemaCheck {
  problems: Problem[];
  draft: SchemaDraft;
}

/**
 * Publisher schemas are untrusted code run on the API's event loop. Everything that could not be
 * checked synchronously, in bounded time and in isolation is refused here, with the path of each
 * offending keyword: an allow-list of keywords (no `$async`, `$id`, dynamic refs or vocabularies),
 * `$schema` only a known draft at the root, `$ref` only to the root's `definitions`/`$defs`
 * without cycles, only known `format`s, bounded depth and expanded size.
 */
export function checkSchemaRules(schema: Record<string, unknown>, field: string): SchemaCheck {
  const problems: Problem[] = [];
  const add = (at: string[], code: string, message: string) =>
    problems.push({ field: [field, ...at].join('.'), code, message });
  let draft: SchemaDraft = 'draft-07';
  if (schema.$schema !== undefined) {
    const known = typeof schema.$schema === 'string' && SCHEMA_DRAFTS[schema.$schema.replace(/#$/, '') as never];
    if (known) draft = known;
    else add(['$schema'], 'JSON_SCHEMA', `must be one of ${Object.keys(SCHEMA_DRAFTS).join(', ')}`);
  }
  const rootDefs = (name: string) => [schema.definitions, schema.$defs].filter(isObject).map((d) => d[name]);
  // 'root' or 'definitions/x' -> each ref it makes (repeats count: each is a call while validating)
  const edges = new Map<string, string[]>();
  const owner = (at: string[]) =>
    at.length >= 2 && (at[0] === 'definitions' || at[0] === '$defs') ? `${at[0]}/${at[1]}` : 'root';

  const walk = (node: unknown, at: string[]): void => {
    if (typeof node === 'boolean') return;
    if (!isObject(node)) return void add(at, 'JSON_SCHEMA', 'must be a schema (an object or a boolean)');
    if (at.length > MAX_SCHEMA_DEPTH) return void add(at, 'TOO_DEEP', `nests more than ${MAX_SCHEMA_DEPTH} levels`);
    for (const [key, value] of Object.entries(node)) {
      const here = [...at, key];
      if (key === '$schema' && at.length === 0) continue;
      if (ONE.has(key)) walk(value, here);
      else if (MAP.has(key)) {
        if (isObject(value)) for (const [name, sub] of Object.entries(value)) walk(sub, [...here, name]);
      } else if (LIST.has(key)) {
        if (Array.isArray(value)) for (const [i, sub] of value.entries()) walk(sub, [...here, String(i)]);
      } else if (!DATA.has(key)) add(here, 'KEYWORD', `"${key}" is not a keyword config schemas may use`);
      else if (key === 'items') {
        if (Array.isArray(value)) for (const [i, sub] of value.entries()) walk(sub, [...here, String(i)]);
        else walk(value, here);
      } else if (key === 'dependencies' && isObject(value)) {
        for (const [name, sub] of Object.entries(value)) if (!Array.isArray(sub)) walk(sub, [...here, name]);
      } else if (key === 'format' && !(typeof value === 'string' && FORMATS.has(value))) {
        add(here, 'FORMAT', `must be one of ${[...FORMATS].join(', ')}`);
      } else if (key === 'uniqueItems' && value === true) {
        if (!(typeof node.maxItems === 'number' && node.maxItems <= MAX_UNIQUE_ITEMS))
          add(here, 'JSON_SCHEMA', `uniqueItems needs maxItems of at most ${MAX_UNIQUE_ITEMS}`);
      } else if (key === '$ref') {
        const match = typeof value === 'string' ? REF.exec(value) : null;
        if (!match || rootDefs(match[2]).every((d) => d === undefined))
          add(here, 'REF', 'must point at an entry of the root "definitions" or "$defs" (#/$defs/name)');
        else {
          const from = owner(at);
          edges.set(from, [...(edges.get(from) ?? []), `${match[1]}/${match[2]}`]);
        }
      }
    }
  };
  walk(schema, []);
  if (problems.length) return { problems, draft };
  const size = expandedSize(schema, edges);
  if (size === 'cycle') add([], 'REF_CYCLE', 'refers to itself through $ref; recursive schemas are not supported');
  else if (size > MAX_SCHEMA_NODES)
    add([], 'TOO_COMPLEX', `expands to ${size} schema nodes with $refs inlined; the limit is ${MAX_SCHEMA_NODES}`);
  return { problems, draft };
}

/** Counts schema objects reachable from the root with refs expanded; 'cycle' when refs loop. */
function expandedSize(schema: Record<string, unknown>, edges: Map<string, string[]>): number | 'cycle' {
  const memo = new Map<string, number | 'visiting'>();
  const size = (key: string): number | 'cycle' => {
    const seen = memo.get(key);
    if (seen === 'visiting') return 'cycle';
    if (seen !== undefined) return seen;
    memo.set(key, 'visiting');
    const [group, name] = key.split('/') as [string, string];
    let total = countNodes(key === 'root' ? schema : (schema[group] as Record<string, unknown>)[name], key === 'root');
    for (const ref of edges.get(key) ?? []) {
      const sub = size(ref);
      if (sub === 'cycle') return 'cycle';
      total += sub;
      if (total > MAX_SCHEMA_NODES) break;
    }
    memo.set(key, total);
    return total;
  };
  return size('root');
}

/** Objects in a (depth-checked) schema; the root's definitions are counted where they are used. */
function countNodes(node: unknown, root = false): number {
  if (Array.isArray(node)) return node.reduce<number>((n, item) => n + countNodes(item), 0);
  if (!isObject(node)) return 0;
  let n = 1;
  for (const [key, value] of Object.entries(node))
    if (!(root && (key === 'definitions' || key === '$defs'))) n += countNodes(value);
  return n;
}
