import { getOperationAST, type DocumentNode } from 'graphql';
import { isAsyncIterable, type Plugin } from 'graphql-yoga';
import type { Context } from '../../schema/context.ts';
import { requestScope } from '../request-scope.ts';
import type { Metrics } from './metrics.ts';

function operationOf(document: DocumentNode, operationName: string | null | undefined) {
  const operation = getOperationAST(document, operationName);
  return { name: operation?.name?.value ?? operationName ?? null, type: operation?.operation ?? 'query' };
}

/**
 * Times and counts each GraphQL operation (name bounded in the metrics), and names the operation
 * and the user in the request's scope for its log line. Open subscriptions are counted by the
 * event bus, once they listen.
 */
export function useObservability(metrics: Metrics): Plugin<Context> {
  return {
    onExecute({ args }) {
      const start = performance.now();
      const { name, type } = operationOf(args.document, args.operationName);
      const scope = requestScope.getStore();
      if (scope) {
        scope.operationName = name;
        scope.userId = args.contextValue.viewer?.id ?? null;
      }
      return {
        onExecuteDone({ result }) {
          const failed = !isAsyncIterable(result) && (result.errors?.length ?? 0) > 0;
          if (scope) scope.outcome = failed ? 'error' : 'success';
          metrics.operation(name, type, failed ? 'error' : 'success', (performance.now() - start) / 1000);
        },
      };
    },
    onSubscribe({ args }) {
      const start = performance.now();
      const { name } = operationOf(args.document, args.operationName);
      const scope = requestScope.getStore();
      if (scope) {
        scope.operationName = name;
        scope.userId = args.contextValue.viewer?.id ?? null;
      }
      return {
        onSubscribeResult({ result }) {
          const open = isAsyncIterable(result);
          metrics.operation(name, 'subscription', open ? 'success' : 'error', (performance.now() - start) / 1000);
        },
      };
    },
  };
}
