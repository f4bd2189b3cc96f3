import type { ExecutionResult } from 'graphql';
import { apiError } from '../../schema/errors.ts';
import type { Plugin } from 'graphql-yoga';
import { bearerToken, hashToken, type Viewer } from '../../services/users.ts';
import { bufferSubscription } from './buffer-subscription.ts';
import type { Outbox, Outboxes } from './create-outbox.ts';
import type { TokenWatch } from './create-token-watch.ts';

/** What yoga's context holds about the transport: graphql-ws passes its socket, HTTP its request and response. */
interface TransportContext {
  socket?: Parameters<Outboxes['forSocket']>[0];
  res?: Parameters<Outboxes['forResponse']>[0];
  request?: Request;
  connectionParams?: Record<string, unknown>;
}

const revoked = (): ExecutionResult => ({
  errors: [
    apiError(
      'UNAUTHENTICATED',
      'The API token this subscription was opened with is no longer valid (revoked or expired)',
    ),
  ],
});

/** The token an operation was authorised with, the same way the context factory reads it. */
export function authorizationOf(context: TransportContext): string | null | undefined {
  const fromParams = context.connectionParams?.Authorization ?? context.connectionParams?.authorization;
  return typeof fromParams === 'string' ? fromParams : context.request?.headers?.get('authorization');
}

/**
 * Every subscription, over graphql-ws or SSE, is taken through its connection's bounded outbox
 * (a subscriber that stops reading is dropped, not buffered without end) and ends, with
 * UNAUTHENTICATED, when the token it was opened with stops being valid.
 */
export function useSubscriptionGuards({ outboxes, tokens }: { outboxes: Outboxes; tokens: TokenWatch }): Plugin {
  const outboxOf = (context: TransportContext): Outbox => {
    if (context.socket && 'bufferedAmount' in context.socket) return outboxes.forSocket(context.socket);
    if (context.res && 'writableLength' in context.res) return outboxes.forResponse(context.res);
    return outboxes.detached();
  };
  return {
    onSubscribe({ args }) {
      return {
        onSubscribeResult({ result, setResult }) {
          if (!(Symbol.asyncIterator in result)) return;
          const context = args.contextValue as TransportContext;
          const token = bearerToken(authorizationOf(context));
          let unwatch = () => {};
          const subscription = bufferSubscription(result, outboxOf(context), () => unwatch());
          const expiresAt = (args.contextValue as { viewer?: Viewer | null }).viewer?.token?.expiresAt ?? null;
          if (token) unwatch = tokens.watch(hashToken(token), () => subscription.end(revoked()), expiresAt);
          setResult(subscription);
        },
      };
    },
  };
}
