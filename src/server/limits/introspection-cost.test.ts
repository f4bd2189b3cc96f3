import { execute, getIntrospectionQuery, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../schema/index.ts';
import { operationCost } from './operation-cost.ts';

/** Fields a result holds: what executing it resolved (each key once, lists item by item). */
const resolved = (value: unknown): number => {
  if (Array.isArray(value)) return value.reduce((n: number, item) => n + resolved(item), 0);
  if (value && typeof value === 'object') return Object.values(value).reduce((n: number, v) => n + 1 + resolved(v), 0);
  return 0;
};

/** Selections on `__Type`, nested up to `depth` through contained lists and references alike. */
function typeSelections(depth: number): string[] {
  if (depth === 0) return ['name'];
  const inner = typeSelections(depth - 1);
  return [
    'name kind',
    ...inner.flatMap((s) => [
      `fields(includeDeprecated: true) { name args { name type { ${s} } } }`,
      `fields { type { ${s} } }`,
      `possibleTypes { ${s} }`,
      `interfaces { ${s} }`,
      `ofType { ${s} }`,
      `inputFields { name type { ${s} } }`,
      `enumValues(includeDeprecated: true) { name }`,
    ]),
  ];
}

const roots = (selection: string) => [
  `{ __schema { types { ${selection} } } }`,
  `{ __schema { queryType { ${selection} } directives { name args { name type { ${selection} } } } } }`,
  ...['Query', 'Mutation', 'Node', 'Plugin', 'String', 'CreateClipInput'].map(
    (name) => `{ __type(name: "${name}") { ${selection} } }`,
  ),
];

describe('operationCost of introspection', () => {
  it('is at least what the introspection resolves, for every shape', async () => {
    const shapes = [...new Set(typeSelections(2).flatMap(roots))];
    expect(shapes.length).toBeGreaterThan(300);
    for (const query of shapes) {
      const document = parse(query);
      const actual = resolved((await execute({ schema, document })).data);
      const estimate = operationCost(schema, document, undefined, {}).cost;
      if (estimate < actual) throw new Error(`${query} resolves ${actual} fields, estimated ${estimate}`);
    }
  });

  it('grows with each alias and each level of references', () => {
    const one = operationCost(schema, parse('{ __schema { types { name } } }'), undefined, {}).cost;
    for (const aliases of [2, 10, 350]) {
      const query = `{ ${Array.from({ length: aliases }, (_, i) => `s${i}: __schema { types { name } }`).join(' ')} }`;
      expect(operationCost(schema, parse(query), undefined, {}).cost).toBe(aliases * one);
    }
    const hops = (n: number) =>
      operationCost(
        schema,
        parse(`{ __type(name: "Node") { ${'possibleTypes { interfaces { '.repeat(n)}name${' } }'.repeat(n)} } }`),
        undefined,
        {},
      ).cost;
    expect(hops(4)).toBeGreaterThan(4 * hops(2));
  });

  it('leaves the full introspection query GraphiQL sends well under the limit, within 4× of what it resolves', async () => {
    const document = parse(getIntrospectionQuery({ descriptions: true, inputValueDeprecation: true }));
    const actual = resolved((await execute({ schema, document })).data);
    const estimate = operationCost(schema, document, undefined, {}).cost;
    expect(estimate).toBeGreaterThanOrEqual(actual);
    expect(estimate).toBeLessThan(4 * actual);
    // Room for the schema to keep growing before GraphiQL's introspection meets the default
    // limit (100,000): at most half of it (the schema of issues 12–13 costs ~26,000).
    expect(estimate).toBeLessThan(100_000 / 2);
  });
});
