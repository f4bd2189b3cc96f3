import { Kind, parse, visit, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../schema/index.ts';
import { operationCost } from './operation-cost.ts';

const selections = (document: DocumentNode) => {
  let n = 0;
  visit(document, {
    [Kind.FIELD]: () => void n++,
    [Kind.FRAGMENT_SPREAD]: () => void n++,
    [Kind.INLINE_FRAGMENT]: () => void n++,
  });
  return n;
};

/**
 * Fragment documents whose expansion doubles (or more) per level, in the shapes a client could
 * write them: each returns the document for `levels` levels and its expanded cost.
 */
const shapes: Record<string, (levels: number) => { query: string; expanded: number }> = {
  chain: (n) => ({
    query: `{ ...F0 } ${level(n, (i) => `fragment F${i} on Query { ...F${i + 1} }`)} fragment F${n} on Query { __typename }`,
    expanded: 1,
  }),
  doubling: (n) => ({
    query: `{ ...F0 } ${level(n, (i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`)} fragment F${n} on Query { __typename }`,
    expanded: 2 ** n,
  }),
  wide: (n) => ({
    query: `{ ...F0 } ${level(n, (i) => `fragment F${i} on Query { ${`...F${i + 1} `.repeat(5)}}`)} fragment F${n} on Query { __typename }`,
    expanded: 5 ** n,
  }),
  diamond: (n) => ({
    query: `{ ...F0 } ${level(n, (i) => `fragment F${i} on Query { ...A${i} ...B${i} } fragment A${i} on Query { ...F${i + 1} } fragment B${i} on Query { ...F${i + 1} }`)} fragment F${n} on Query { __typename }`,
    expanded: 2 ** n,
  }),
  inline: (n) => ({
    query: `{ ...F0 } ${level(n, (i) => `fragment F${i} on Query { ... on Query { ...F${i + 1} } ... { ...F${i + 1} } }`)} fragment F${n} on Query { __typename }`,
    expanded: 2 ** n,
  }),
  aliases: (n) => ({
    query: `{ ...F0 } ${level(n, (i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`)} fragment F${n} on Query { a: __typename b: viewer { id } c: categories { name } }`,
    expanded: 2 ** n * (1 + 2 + 11),
  }),
  nested: (n) => ({
    query: `{ viewer { ...F0 } } ${level(n, (i) => `fragment F${i} on User { ...F${i + 1} ...F${i + 1} }`)} fragment F${n} on User { handle }`,
    expanded: 1 + 2 ** n,
  }),
};

function level(n: number, fragment: (i: number) => string): string {
  return Array.from({ length: n }, (_, i) => fragment(i)).join(' ');
}

describe('operationCost over fragments', () => {
  for (const [name, shape] of Object.entries(shapes)) {
    it(`counts the expanded cost of ${name} fragments while visiting each selection once`, () => {
      for (const levels of [1, 2, 5, 12, 25, 60]) {
        const { query, expanded } = shape(levels);
        const document = parse(query);
        const measured = operationCost(schema, document, undefined, {});
        expect(measured.cost / expanded).toBeCloseTo(1, 9);
        // Linear in the document: each selection written is looked at once (twice at most).
        expect(measured.visited).toBeLessThanOrEqual(2 * selections(document));
      }
    });
  }
});
