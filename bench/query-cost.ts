/**
 * Time to check a hostile document before it runs (parse with the token limit, validate, estimate
 * the cost), as a ratio to the same for a normal marketplace query, measured in the same run.
 * Target: every hostile document stays within a small constant of the normal one (before the
 * fix, the 25-level fragment fan-out took seconds and doubled with each level).
 *
 *   npx tsx bench/query-cost.ts
 */
import { getIntrospectionQuery, parse, validate } from 'graphql';
import { schema } from '../src/schema/index.ts';
import { operationCost } from '../src/server/limits/operation-cost.ts';

const NORMAL = `{ plugins(first: 50) { edges { node { slug name summary rating { average count }
  publisher { handle } latestVersion { version permissions } reviews(first: 3) { edges { node { rating } } } } } } }`;

const fanOut = (levels: number, width: number) =>
  `query Q { ...F0 } ${Array.from(
    { length: levels },
    (_, i) => `fragment F${i} on Query { ${`...F${i + 1} `.repeat(width)}}`,
  ).join(' ')} fragment F${levels} on Query { __typename }`;

const HOSTILE: Record<string, string> = {
  'fragment fan-out 25×2 (issue 8.3)': fanOut(25, 2),
  'fragment fan-out 60×2': fanOut(60, 2),
  'fragment fan-out 12×5': fanOut(12, 5),
  '350 aliased __schema (issue 8.4)': `{ ${Array.from(
    { length: 350 },
    (_, i) => `s${i}: __schema { types { name fields { name type { name } } } }`,
  ).join(' ')} }`,
  'GraphiQL introspection (legitimate)': getIntrospectionQuery(),
};

function check(source: string): number {
  const document = parse(source, { maxTokens: 10_000 });
  const errors = validate(schema, document);
  return errors.length + operationCost(schema, document, undefined, {}).cost;
}

/** Median microseconds per check over `rounds` rounds of `per` checks. */
function time(source: string, rounds = 9, per = 20): number {
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let i = 0; i < per; i++) check(source);
    samples.push(((performance.now() - start) * 1000) / per);
  }
  return samples.sort((a, b) => a - b)[Math.floor(rounds / 2)];
}

for (const source of [NORMAL, ...Object.values(HOSTILE)]) check(source); // warm up
const baseline = time(NORMAL);
console.log(`normal marketplace query: ${baseline.toFixed(0)} µs per check (1.0×)`);
for (const [name, source] of Object.entries(HOSTILE)) {
  const us = time(source);
  console.log(`${name}: ${us.toFixed(0)} µs, ${(us / baseline).toFixed(1)}× (${source.length} bytes)`);
}
