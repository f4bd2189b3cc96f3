import { AsyncLocalStorage } from 'node:async_hooks';

/** What a log line needs to name the request or operation that work was done for. */
export interface RequestInfo {
  requestId: string;
  transport: 'http' | 'graphql-ws';
  method?: string;
  path?: string;
  operationName?: string | null;
  /** The signed-in user, once the operation's context is known. */
  userId?: number | null;
  /** Whether the GraphQL operation answered with errors. */
  outcome?: 'success' | 'error';
}

/**
 * The request each piece of work belongs to, carried across awaits and timers, so that an error
 * nothing caught can still be logged with the request that caused it.
 */
export const requestScope = new AsyncLocalStorage<RequestInfo>();
