import { randomUUID } from 'node:crypto';
import { print, type FormattedExecutionResult } from 'graphql';
import { expect } from 'vitest';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createClient, type Client } from 'graphql-ws';
import type { Logger } from 'pino';
import WebSocket from 'ws';
import { loadConfig } from '../../src/config.ts';
import type { Role } from '../../src/entities/index.ts';
import { startServer, type RunningServer } from '../../src/server/start-server.ts';
import { ERROR_CODES, type ErrorCode } from '../../src/services/errors.ts';
import { createUser } from '../../src/services/users.ts';
import { createTestStorage, type TestStorage } from './database.ts';

export interface GraphQLResponse<T> {
  data?: T | null;
  errors?: {
    message: string;
    path?: string[];
    extensions?: { code?: ErrorCode; problems?: { field?: string; code: string; message: string }[] };
  }[];
}

export interface TestServer extends RunningServer {
  storage: TestStorage;
  /** Creates a user straight through the service layer and returns its API token. */
  user(handle: string, role?: Role, options?: { verified?: boolean }): Promise<string>;
  gql<T, V>(doc: TypedDocumentNode<T, V> | string, variables?: V, token?: string): Promise<GraphQLResponse<T>>;
  /** gql that fails the test on any error and returns data. */
  ok<T, V>(doc: TypedDocumentNode<T, V> | string, variables?: V, token?: string): Promise<T>;
  /** First error code of a response that must fail. */
  code<T, V>(doc: TypedDocumentNode<T, V> | string, variables?: V, token?: string): Promise<ErrorCode>;
  ws(token?: string): TestClient;
  /**
   * Resolves once the server listens on the event bus for the subscription opened as `id`: its
   * graphql-ws operation id, or the `x-request-id` of its SSE request. Ask before opening it.
   */
  listening(id: string): Promise<void>;
  /**
   * Resolves once the next subscription of any client (a browser's, say) listens on `topic`
   * (`execution-events`, `clip-events`, `installation-events`). Ask before it is opened.
   */
  nextListener(topic: string): Promise<void>;
  stop(): Promise<void>;
}

/** A graphql-ws client of a test server, which can tell when the server listens for a subscription. */
export interface TestClient extends Client {
  /**
   * `iterate`, with `live` resolved once the server listens on the event bus for this
   * subscription: an event published from then on reaches it. Never resolved for one refused.
   */
  listen<T>(query: string): {
    results: AsyncIterableIterator<FormattedExecutionResult<T, unknown>>;
    live: Promise<void>;
  };
}

export interface TestServerOptions {
  storage?: TestStorage;
  env?: Record<string, string>;
  onQuery?: (sql: string) => void;
  /** Where the server logs (logs.test.ts captures them); silent by default. */
  logger?: Logger;
}

/** A real server on a loopback port over a database of its own. */
export async function startTestServer({
  storage,
  env = {},
  onQuery,
  logger,
}: TestServerOptions = {}): Promise<TestServer> {
  storage ??= await createTestStorage();
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // Two plugin workers: enough for hostile and healthy calls side by side, light on 2 cores.
    PLUGBOARD_WORKERS: '2',
    PLUGBOARD_DATA_DIR: storage.dataDir,
    // Tests that are not about rate limits must never be throttled: rate-limits.test.ts sets its own.
    PLUGBOARD_RATE_LIMIT_USER: '0',
    PLUGBOARD_RATE_LIMIT_ANONYMOUS: '0',
    // Tests that count statements count what an operation costs, not the token cache's refresh after
    // its lifetime (5 s), which a loaded machine can let pass between a warm-up and the counted call.
    ...(onQuery ? { PLUGBOARD_TOKEN_CACHE_TTL_MS: '3600000' } : {}),
    ...(storage.databaseUrl ? { DATABASE_URL: storage.databaseUrl } : {}),
    ...(storage.redisUrl ? { REDIS_URL: storage.redisUrl } : {}),
    ...env,
  });
  /** Subscriptions not yet listening, by their graphql-ws operation id. */
  const subscribing = new Map<string, () => void>();
  /** Waiting for the next subscription on a topic, whoever opens it. */
  const nextOnTopic = new Map<string, (() => void)[]>();
  const running = await startServer({
    config,
    onQuery,
    logger,
    // A graphql-ws operation's request id is `<connection id>:<operation id>`; an SSE request's is
    // its own (no colon).
    onSubscribed: (requestId, topic) => {
      const operationId = requestId.slice(requestId.indexOf(':') + 1);
      subscribing.get(operationId)?.();
      subscribing.delete(operationId);
      for (const resolve of nextOnTopic.get(topic)?.splice(0) ?? []) resolve();
    },
  });
  const sockets: Client[] = [];
  const listening = (id: string) => new Promise<void>((resolve) => subscribing.set(id, resolve));

  const gql = async <T, V>(
    doc: TypedDocumentNode<T, V> | string,
    variables?: V,
    token?: string,
  ): Promise<GraphQLResponse<T>> => {
    const response = await fetch(`${running.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query: typeof doc === 'string' ? doc : print(doc), variables }),
    });
    return (await response.json()) as GraphQLResponse<T>;
  };

  return {
    ...running,
    storage,
    gql,
    async user(handle, role = 'MEMBER', { verified = false } = {}) {
      const { token } = await createUser(running.app.platform, { handle, role, verifiedPublisher: verified });
      return token;
    },
    async ok(doc, variables, token) {
      const result = await gql(doc, variables, token);
      if (result.errors?.length || !result.data) throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
      return result.data;
    },
    async code(doc, variables, token) {
      const result = await gql(doc, variables, token);
      return errorCode(result);
    },
    ws(token) {
      // graphql-ws names each operation with generateID: ours, so the server's word can be matched to it.
      const operationIds = new WeakMap<object, string>();
      const client = createClient({
        url: `${running.url.replace('http', 'ws')}/graphql`,
        webSocketImpl: WebSocket,
        connectionParams: token ? { Authorization: `Bearer ${token}` } : {},
        retryAttempts: 0,
        generateID: (payload) => operationIds.get(payload) ?? randomUUID(),
      });
      sockets.push(client);
      return Object.assign(client, {
        listen<T>(query: string) {
          const payload = { query };
          const operationId = randomUUID();
          operationIds.set(payload, operationId);
          const live = listening(operationId);
          return { results: client.iterate<T>(payload), live };
        },
      });
    },
    listening,
    nextListener: (topic) =>
      new Promise<void>((resolve) => nextOnTopic.set(topic, [...(nextOnTopic.get(topic) ?? []), resolve])),
    async stop() {
      await Promise.all(sockets.map((s) => s.dispose()));
      await running.close();
      await storage.drop();
    },
  };
}

/**
 * The `extensions.code` of a response's first error. Fails when there is no error, or when the
 * code is not one of the API's `ERROR_CODES` (a code clients cannot know about).
 */
export function errorCode(result: {
  data?: unknown;
  errors?: readonly { extensions?: { code?: unknown } }[];
}): ErrorCode {
  const error = result.errors?.[0];
  if (!error) throw new Error(`expected an error, got ${JSON.stringify(result.data)}`);
  const code = error.extensions?.code;
  if (!ERROR_CODES.includes(code as ErrorCode))
    throw new Error(`extensions.code ${JSON.stringify(code)} is not one of ERROR_CODES: ${JSON.stringify(error)}`);
  return code as ErrorCode;
}

/** Asserts that a response failed with `code` (typed: only codes the API can return). */
export function expectCode(
  result: { data?: unknown; errors?: readonly { extensions?: { code?: unknown } }[] },
  code: ErrorCode,
  message?: string,
): void {
  expect(errorCode(result), message).toBe(code);
}

/**
 * Collects the next `count` events of a subscription. `ready` resolves once the server listens
 * for them, so what is published from then on is collected; it rejects if the subscription ends
 * first (refused, say).
 */
export function collect<T>(
  client: TestClient,
  query: string,
  count: number,
  timeoutMs = 10_000,
): { ready: Promise<void>; events: Promise<T[]> } {
  const events: T[] = [];
  const { results, live } = client.listen<T>(query);
  const done = new Promise<T[]>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out with ${events.length}/${count} events`)), timeoutMs);
    (async () => {
      for await (const result of results) {
        if (result.errors) throw new Error(JSON.stringify(result.errors));
        events.push(result.data as T);
        if (events.length === count) break;
      }
      return events;
    })()
      .then(resolve, reject)
      .finally(() => clearTimeout(timer));
  });
  const ended = done.then(() => {
    throw new Error('the subscription ended before the server listened for it');
  });
  const ready = Promise.race([live, ended]);
  // Tests that expect a refusal await `events` only.
  ready.catch(() => {});
  return { ready, events: done };
}
