import type { IncomingMessage } from 'node:http';
import type { BlockList } from 'node:net';
import { Kind, type DocumentNode, type ExecutionArgs } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Context } from '../../schema/context.ts';
import { apiError } from '../../schema/errors.ts';
import { clientAddress } from './client-address.ts';
import { operationCost } from './operation-cost.ts';
import type { RateDecision, RateLimiter } from './rate-limiter.ts';
import { measuredCost } from './use-query-limits.ts';

/** What each mutation field costs on top of its selection: a write is dearer than a read of one field. */
export const MUTATION_FIELD_COST = 10;

export interface RateLimits {
  limiter: RateLimiter;
  /** Operation cost per minute for each signed-in user; 0 turns it off. */
  userPerMinute: number;
  /** Operation cost per minute for each client address without a token; 0 turns it off. */
  anonymousPerMinute: number;
  /** Proxies whose `X-Forwarded-For` names the client; null: the connection's peer is the client. */
  trustedProxies: BlockList | null;
}

function rootFields(document: DocumentNode, operationName: string | null | undefined): number {
  const operation = document.definitions.find(
    (d) => d.kind === Kind.OPERATION_DEFINITION && (!operationName || d.name?.value === operationName),
  );
  return operation?.kind === Kind.OPERATION_DEFINITION && operation.operation === 'mutation'
    ? operation.selectionSet.selections.length
    : 0;
}

/** The query-cost estimate (fields it may resolve), plus `MUTATION_FIELD_COST` per mutation field; at least 1. */
export function chargedCost(args: ExecutionArgs): number {
  const cost =
    measuredCost(args.contextValue) ??
    operationCost(args.schema, args.document, args.operationName, args.variableValues ?? {}).cost;
  return Math.max(1, cost + MUTATION_FIELD_COST * rootFields(args.document, args.operationName));
}

const refused = (decision: RateDecision, cost: number, perMinute: number) => {
  const retryAfter = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  return apiError(
    'RATE_LIMITED',
    `Rate limit reached: this operation costs ${cost} of ${perMinute} per minute. Retry in ${retryAfter} s.`,
    {
      extensions: {
        retryAfter,
        cost,
        limitPerMinute: perMinute,
        http: { status: 429, headers: { 'Retry-After': String(retryAfter) } },
      },
    },
  );
};

/**
 * Charges each operation's cost to its user (signed in) or client address (anonymous) before it
 * runs, over HTTP, SSE and graphql-ws alike; over budget it gets `RATE_LIMITED` with
 * `extensions.retryAfter` (seconds), and plain HTTP a 429 with `Retry-After`. Place it after
 * `useQueryLimits`, whose estimate it reuses. In memory the check is synchronous (no promise).
 */
export function useRateLimits({ limiter, userPerMinute, anonymousPerMinute, trustedProxies }: RateLimits): Plugin {
  const charge = (args: ExecutionArgs, stop: (result: { errors: Error[] }) => void) => {
    const context = args.contextValue as Context & { req?: IncomingMessage };
    const perMinute = context.viewer ? userPerMinute : anonymousPerMinute;
    if (perMinute <= 0) return;
    const cost = chargedCost(args);
    const key = context.viewer ? `u:${context.viewer.id}` : `a:${clientAddress(context.req, trustedProxies)}`;
    const decided = (decision: RateDecision) => {
      if (!decision.allowed) stop({ errors: [refused(decision, cost, perMinute)] });
    };
    const decision = limiter.take(key, cost, perMinute);
    return decision instanceof Promise ? decision.then(decided) : decided(decision);
  };
  return {
    onExecute: ({ args, setResultAndStopExecution }) => charge(args, setResultAndStopExecution),
    onSubscribe: ({ args, setResultAndStopExecution }) => charge(args, setResultAndStopExecution),
  };
}
