import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, useReadinessCheck, type Plugin } from 'graphql-yoga';
import type { GraphQLError } from 'graphql';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { deploymentId, migrate, openDatabase } from './db/orm.ts';
import { createLogger } from './logger.ts';
import { schema } from './schema/index.ts';
import { createContext, type App, type Context } from './schema/context.ts';
import { createErrorMasker } from './schema/errors.ts';
import { DomainError } from './services/errors.ts';
import { createPlatform } from './services/platform.ts';
import { createTokenCache } from './services/users.ts';
import { createEventBus } from './server/events.ts';
import { useQueryLimits } from './server/query-cost.ts';
import { DEFAULT_QUERY } from './server/graphiql.ts';
import { useAnonymousReadCache } from './server/read-cache.ts';
import { useWasmDownloads } from './server/wasm-route.ts';
import { attachWebSocket } from './server/websocket.ts';

/** Yoga logs every error it returns; expected ones (with a code) are not server errors. */
function yogaLogger(logger: Logger) {
  const expected = (args: unknown[]) =>
    args.some((a) => {
      const e = a as GraphQLError | undefined;
      if (!(e instanceof Error) || e.name !== 'GraphQLError') return false;
      const code = e.extensions?.code;
      // A GraphQLError wrapping another one was raised on purpose (a scalar refusing a value).
      const onPurpose = e.originalError instanceof DomainError || e.originalError?.name === 'GraphQLError';
      return onPurpose || (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR');
    });
  return {
    debug: (...args: unknown[]) => logger.debug(args.map(String).join(' ')),
    info: (...args: unknown[]) => logger.info(args.map(String).join(' ')),
    warn: (...args: unknown[]) => logger.warn(args.map(String).join(' ')),
    error: (...args: unknown[]) =>
      expected(args)
        ? logger.debug({ err: args[0] }, 'request error')
        : logger.error({ err: args[0] }, String(args[1] ?? 'error')),
  };
}

export interface RunningServer {
  app: App;
  server: Server;
  /** e.g. `http://127.0.0.1:4000` */
  url: string;
  close(): Promise<void>;
}

export interface StartOptions {
  config: Config;
  logger?: Logger;
  /** Called with each SQL statement (tests count them). */
  onQuery?: (sql: string) => void;
}

/** Request bodies larger than this are refused (413, `REQUEST_ENTITY_TOO_LARGE`). */
export const MAX_REQUEST_BODY_BYTES = 8 * 1024 * 1024;

/**
 * A body refused part-way is not read to its end: close the connection rather than leave a
 * keep-alive client to send its next request into the rest of it (it would be reset).
 */
const closeAfterRefusedBody: Plugin = {
  onResponse({ response }) {
    if (response.status === 413) response.headers.set('connection', 'close');
  },
};

/** Opens the database (applying pending migrations), builds the app and listens. */
export async function startServer({
  config,
  logger = createLogger(config.logLevel),
  onQuery,
}: StartOptions): Promise<RunningServer> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, onQuery });
  const applied = await migrate(db);
  if (applied.length) logger.info({ migrations: applied }, 'applied migrations');
  const bus = await createEventBus(config.redisUrl, await deploymentId(db));
  const platform = createPlatform({
    db,
    events: bus.events,
    logger,
    workers: config.runtimeWorkers,
    circuitCooldownMs: config.circuitCooldownMs,
    callsPerUser: config.callsPerUser,
  });
  const tokens = createTokenCache({ ttlMs: config.tokenCacheTtlMs });
  const app: App = { config, db, events: bus.events, logger, platform, tokens };

  const readCache =
    config.readCacheTtlMs > 0 ? useAnonymousReadCache(bus.events, { ttlMs: config.readCacheTtlMs }) : null;
  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    logging: yogaLogger(logger),
    context: async ({
      request,
      connectionParams,
    }: {
      request?: Request;
      connectionParams?: Record<string, unknown>;
    }) => {
      const fromParams = connectionParams?.Authorization ?? connectionParams?.authorization;
      return createContext(app, typeof fromParams === 'string' ? fromParams : request?.headers.get('authorization'));
    },
    maskedErrors: { maskError: createErrorMasker(logger) },
    // The largest legitimate body is a 2 MiB module upload or a 1 MiB plugin input (escaped);
    // anything past this is refused with 413 while it streams in, before it is buffered.
    maxRequestBodySize: MAX_REQUEST_BODY_BYTES,
    // GraphiQL subscribes over SSE: plain HTTP requests carry the Headers tab (the token), which
    // its WebSocket client would not send.
    graphiql: { title: 'Plugboard', defaultQuery: DEFAULT_QUERY, subscriptionsProtocol: 'SSE' },
    renderGraphiQL,
    plugins: [
      useQueryLimits(),
      closeAfterRefusedBody,
      ...(readCache?.plugins ?? []),
      useWasmDownloads(db),
      useReadinessCheck({
        endpoint: '/ready',
        check: async () => {
          await db.orm.em.getConnection().execute('select 1');
        },
      }),
    ],
  });

  const server = createServer(yoga);
  const ws = attachWebSocket(server, yoga, { maxPayloadBytes: MAX_REQUEST_BODY_BYTES });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  logger.info(
    { url: `${url}/graphql`, database: db.dialect, events: config.redisUrl ? 'redis' : 'in-process' },
    'plugboard listening',
  );

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      // Stop accepting, let in-flight HTTP requests finish, then drop sockets and storage.
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      await ws.close();
      await drained;
      readCache?.close();
      await platform.close();
      await bus.close();
      await db.close();
      logger.info('plugboard stopped');
    })());
  return { app, server, url, close };
}
