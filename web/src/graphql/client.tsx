import { createClient as createWsClient } from 'graphql-ws';
import { type ReactNode, useEffect, useMemo } from 'react';
import { cacheExchange, Client, fetchExchange, Provider, subscriptionExchange } from 'urql';
import { useAuth } from './auth.tsx';

/**
 * One urql client per token: queries and mutations over HTTP POST to /graphql with the token as
 * `Authorization: Bearer …`, subscriptions over graphql-ws to the same origin with the token in
 * `connectionParams` (how the server reads it on a socket). Signing in or out drops the cache.
 */
function createClient(token: string | null) {
  const authorization = token ? `Bearer ${token}` : null;
  const ws = createWsClient({
    url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`,
    connectionParams: authorization ? { Authorization: authorization } : {},
    lazy: true,
    retryAttempts: 5,
  });
  const client = new Client({
    url: '/graphql',
    requestPolicy: 'cache-and-network',
    fetchOptions: (): RequestInit => (authorization ? { headers: { authorization } } : {}),
    exchanges: [
      cacheExchange,
      fetchExchange,
      subscriptionExchange({
        forwardSubscription(request) {
          const input = { ...request, query: request.query ?? '' };
          return {
            subscribe(sink) {
              const unsubscribe = ws.subscribe(input, sink);
              return { unsubscribe };
            },
          };
        },
      }),
    ],
  });
  return {
    client,
    dispose: () => {
      void ws.dispose();
    },
  };
}

export function GraphQLProvider({ children }: { children: ReactNode }) {
  const { token } = useAuth();
  const { client, dispose } = useMemo(() => createClient(token), [token]);
  useEffect(() => dispose, [dispose]);
  return <Provider value={client}>{children}</Provider>;
}
