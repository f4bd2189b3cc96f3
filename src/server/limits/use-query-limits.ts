import { parse, type DocumentNode, type GraphQLSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { apiError } from '../../schema/errors.ts';
import { operationCost } from './operation-cost.ts';

export interface QueryLimits {
  /** Most fields an operation may resolve, estimated before it runs. @default 100_000 */
  maxCost?: number;
  /** Deepest field nesting. @default 20 */
  maxDepth?: number;
  /** Most tokens a document may have; longer ones are refused while parsing. @default 10_000 */
  maxTokens?: number;
}

// The estimate of each operation let through, for the rate limiter to charge without measuring again.
const measured = new WeakMap<object, number>();

/** The cost `useQueryLimits` estimated for the operation with this context, if it ran first. */
export const measuredCost = (contextValue: unknown): number | undefined =>
  typeof contextValue === 'object' && contextValue !== null ? measured.get(contextValue) : undefined;

/**
 * Refuses operations too costly or too deep to run (`QUERY_TOO_COMPLEX`) and documents too long
 * to parse. Connections cap a page at 100, but pages nest (plugins → reviews → plugin → reviews),
 * so without this one anonymous request could ask for 100^n rows.
 */
export function useQueryLimits({ maxCost = 100_000, maxDepth = 20, maxTokens = 10_000 }: QueryLimits = {}): Plugin {
  const check = (args: {
    schema: GraphQLSchema;
    document: DocumentNode;
    operationName?: string | null;
    variableValues?: Record<string, unknown> | null;
    contextValue?: unknown;
  }) => {
    const { cost, depth } = operationCost(args.schema, args.document, args.operationName, args.variableValues ?? {});
    if (cost <= maxCost && depth <= maxDepth) {
      if (typeof args.contextValue === 'object' && args.contextValue !== null) measured.set(args.contextValue, cost);
      return null;
    }
    const reason =
      cost > maxCost
        ? `its estimated cost ${cost} is over the limit of ${maxCost}`
        : `it nests ${depth} fields deep, over the limit of ${maxDepth}`;
    return apiError(
      'QUERY_TOO_COMPLEX',
      `The operation is too complex: ${reason}. Ask for smaller pages or fewer nested connections.`,
      { extensions: { cost, maxCost, depth, maxDepth } },
    );
  };
  return {
    onParse({ setParseFn }) {
      setParseFn((source, options) => parse(source, { ...options, maxTokens }));
    },
    onExecute({ args, setResultAndStopExecution }) {
      const error = check(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = check(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
