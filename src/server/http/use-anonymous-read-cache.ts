import { createHash, randomUUID } from 'node:crypto';
import { createInMemoryCache, useResponseCache } from '@graphql-yoga/plugin-response-cache';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Events } from '../../services/events.ts';

export interface ReadCacheOptions {
  /** Longest a cached answer lives; bounds staleness from writes made outside this API. @default 10_000 */
  ttlMs?: number;
  /** Cached answers kept (least recently used dropped). @default 1000 */
  maxEntries?: number;
}

/**
 * Caches anonymous queries — public marketplace reads, the same for everyone — and drops them
 * all on any write. Every mutation moves a write epoch that is part of each cache key: locally at
 * once, and on every other instance through the event bus (Redis when scaled out). Requests with
 * a token are never cached.
 */
export function useAnonymousReadCache(
  events: Events,
  { ttlMs = 10_000, maxEntries = 1000 }: ReadCacheOptions = {},
): { plugins: Plugin[]; close(): void } {
  let epoch = 0;
  // This instance bumps its own epoch when its mutation finishes; the echo of its own
  // announcement (which over Redis arrives later) must not bump it a second time, or a read
  // cached in between would be dropped for nothing.
  const origin = randomUUID();
  const bumps = events.subscribe('write-epoch');
  void (async () => {
    for await (const from of bumps) if (from !== origin) epoch++;
  })();

  const cache: Plugin = useResponseCache({
    session: () => null,
    // graphql-ws operations have no HTTP request (and may carry a token in connection params):
    // they are never cached, but their mutations still move the epoch below.
    enabled: (request) => cacheable(request),
    ttl: ttlMs,
    invalidateViaMutation: false,
    includeExtensionMetadata: false,
    cache: createInMemoryCache({ max: maxEntries }),
    buildResponseCacheKey: ({ documentString, variableValues, operationName, request }) => {
      // Called for every request: signed-in ones are never cached, so they cost no key.
      if (!cacheable(request)) return 'never-cached';
      let variables: string;
      try {
        variables = JSON.stringify(variableValues ?? {});
      } catch {
        return `uncacheable:${randomUUID()}`; // too deep to serialise: the scalars refuse it later
      }
      return createHash('sha256')
        .update(`${epoch}\0${operationName ?? ''}\0${documentString}\0${variables}`)
        .digest('hex');
    },
  });

  const cacheable = (request: Request | undefined) => !!request?.headers && !request.headers.get('authorization');

  const announceWrites: Plugin = {
    onExecute({ args }) {
      if (getOperationAST(args.document, args.operationName)?.operation !== 'mutation') return;
      return {
        onExecuteDone() {
          epoch++; // at once here, so this client's next read cannot hit an older answer
          events.publish('write-epoch', origin);
        },
      };
    },
  };

  return { plugins: [announceWrites, cache], close: () => void bumps.return?.() };
}
