import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { schema } from '../../schema/index.ts';
import { operationCost } from './operation-cost.ts';

const cost = (query: string, variables: Record<string, unknown> = {}) =>
  operationCost(schema, parse(query), undefined, variables);

describe('operationCost', () => {
  it('counts each field once per time it resolves, pages multiplying what is under them', () => {
    // 1 (plugins) + 50 × (1 edges + 1 node + 1 slug + 1 reviews + 3 × (edges + node + rating))
    expect(
      cost('{ plugins(first: 50) { edges { node { slug reviews(first: 3) { edges { node { rating } } } } } } }').cost,
    ).toBe(1 + 50 * (3 + 1 + 3 * 3));
    expect(cost('{ viewer { handle } }')).toMatchObject({ cost: 2, depth: 2 });
  });

  it('reads page sizes from variables, defaults and fragments', () => {
    const query =
      'query ($n: Int) { plugins(first: $n) { edges { node { ...Card } } } } fragment Card on Plugin { slug name }';
    expect(cost(query, { n: 10 }).cost).toBe(1 + 10 * 4);
    expect(cost(query).cost).toBe(1 + 20 * 4);
    expect(cost('{ nodes(ids: ["a", "b", "c"]) { id } }').cost).toBe(1 + 3);
  });

  it('grows with each nested page, which is what the limit stops', () => {
    const nested =
      '{ plugins(first: 100) { edges { node { reviews(first: 100) { edges { node { plugin { reviews(first: 100) { edges { node { id } } } } } } } } } } }';
    expect(cost(nested).cost).toBeGreaterThan(1_000_000);
    expect(cost(nested).depth).toBe(11);
  });

  it('costs introspection by what the schema holds, not once', () => {
    expect(cost('{ __schema { types { name fields { name args { name } } } } }').cost).toBeGreaterThan(500);
  });
});
