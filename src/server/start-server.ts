import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, useReadinessCheck, type Plugin } from 'graphql-yoga';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { deploymentId, migrate, openDatabase } from '../db/orm.ts';
import { createLogger } from '../logger.ts';
import { schema } from '../schema/index.ts';
import { createContext, type App, type Context } from '../schema/context.ts';
import { createErrorMasker } from '../schema/errors.ts';
import { createPlatform, type Platform } from '../services/platform/index.ts';
import { createTokenUsage } from '../services/api-tokens.ts';
import { startScheduler } from '../services/schedules/index.ts';
import { createTokenCache } from '../services/users.ts';
import { createEventBus } from './create-event-bus.ts';
import { useQueryLimits } from './limits/use-query-limits.ts';
import { useInputGuard } from './limits/use-input-guard.ts';
import { trustedProxies } from './limits/client-address.ts';
import { createMemoryRateLimiter, createRedisRateLimiter } from './limits/rate-limiter.ts';
import { useRateLimits } from './limits/use-rate-limits.ts';
import { DEFAULT_QUERY } from './http/default-query.ts';
import { useAnonymousReadCache } from './http/use-anonymous-read-cache.ts';
import { useSharedReads } from './http/use-shared-reads.ts';
import { useWasmDownloads } from './http/use-wasm-downloads.ts';
import { createWebApp } from './http/web-app.ts';
import { yogaLogger } from './yoga-logger.ts';
import { attachWebSocket } from './subscriptions/attach-web-socket.ts';
import { createOutboxes, type OutboxStats } from './subscriptions/create-outbox.ts';
import { createTokenWatch, type TokenWatch } from './subscriptions/create-token-watch.ts';
import { installProcessGuard } from './install-process-guard.ts';
import { createMetrics, isLoopback, metricsHandler } from './observe/metrics.ts';
import { requestIdOf } from './observe/request-id.ts';
import { useObservability } from './observe/use-observability.ts';
import { requestScope, type RequestInfo } from './request-scope.ts';
import { authorizationOf, useSubscriptionGuards } from './subscriptions/use-subscription-guards.ts';

export interface RunningServer {
  app: App;
  server: Server;
  /** e.g. `http://127.0.0.1:4000` */
  url: string;
  /** Subscriber connections: their buffered-bytes accounting, and the watch that ends them with their token. */
  subscribers: { stats: OutboxStats; tokens: TokenWatch };
  close(): Promise<void>;
}

/** How long a dropped subscriber has to read what is queued and its close before it is cut off. */
const DROP_GRACE_MS = 5_000;

export interface StartOptions {
  config: Config;
  logger?: Logger;
  /** Called with each SQL statement (tests count them). */
  onQuery?: (sql: string) => void;
  /**
   * Called with an operation's request id and the bus topic (`execution-events`, …) once its
   * subscription listens on the event bus: what is published from then on reaches it (tests wait
   * for this before they cause events).
   */
  onSubscribed?: (requestId: string, topic: string) => void;
  /** Runs once the platform is up and before the server listens (`serve --seed` seeds here). */
  beforeListen?: (app: App) => Promise<void>;
  /** The built web app served at `/`; web/dist by default. */
  webDir?: string;
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

/** Log lines about a request name its operation too. */
const nameOperationInScope: Plugin = {
  onParams({ params }) {
    const scope = requestScope.getStore();
    if (scope) scope.operationName = params.operationName ?? null;
  },
};

/** Opens the database (applying pending migrations), builds the app and listens. */
export async function startServer({
  config,
  logger = createLogger(config.logLevel),
  onQuery,
  onSubscribed,
  beforeListen,
  webDir,
}: StartOptions): Promise<RunningServer> {
  const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, onQuery });
  const applied = await migrate(db);
  if (applied.length) logger.info({ migrations: applied }, 'applied migrations');
  const deployment = await deploymentId(db);
  let platform: Platform | null = null;
  const metrics = createMetrics({
    runtimeStats: () => platform?.runtimeStats() ?? null,
    circuitStates: async () => {
      const em = db.fork();
      const rows = await em.execute<{ state: string; count: number | string }[]>(
        em.getKnex()('installations').select('circuit_state as state').count('* as count').groupBy('circuit_state'),
      );
      return Object.fromEntries(rows.map((r) => [r.state, Number(r.count)]));
    },
  });
  metrics.watchDatabase(db.fork().getKnex(), db.dialect);
  const bus = await createEventBus(config.redisUrl, deployment, {
    onLag: (ms) => metrics.eventLag(ms / 1000),
    onListening: (topic, change) => {
      metrics.subscriptions(topic, change);
      // The bus reports from within the subscriber's async context: an operation's, or none for
      // the server's own listeners.
      const scope = requestScope.getStore();
      if (change === 1 && scope) onSubscribed?.(scope.requestId, topic);
    },
  });
  platform = createPlatform({
    db,
    events: bus.events,
    logger,
    workers: config.runtimeWorkers,
    instanceMemoryMiB: config.instanceMemoryMiB,
    circuitCooldownMs: config.circuitCooldownMs,
    callsPerUser: config.callsPerUser,
    requireSignatures: config.requireSignatures,
    httpAllowedInternalHosts: config.httpAllowedInternalHosts,
    onExecution: (report) => {
      metrics.execution(report);
      const scope = requestScope.getStore();
      logger.info({ ...report, requestId: scope?.requestId ?? null }, 'plugin call');
    },
  });
  await platform.start();
  const scheduler = config.schedulerPollMs > 0 ? startScheduler(platform, { pollMs: config.schedulerPollMs }) : null;
  const tokenCache = createTokenCache({ ttlMs: config.tokenCacheTtlMs });
  const tokenUsage = createTokenUsage({ db, logger });
  const app: App = { config, platform, tokens: tokenCache, tokenUsage };
  const rateLimited = config.rateLimitUser > 0 || config.rateLimitAnonymous > 0;
  const limiter = !rateLimited
    ? null
    : config.redisUrl
      ? createRedisRateLimiter({ redisUrl: config.redisUrl, prefix: `plugboard:${deployment}:rate:`, logger })
      : createMemoryRateLimiter();
  const outboxes = createOutboxes({ limit: config.subscriberBufferBytes, graceMs: DROP_GRACE_MS });
  const tokens = createTokenWatch({
    db,
    events: bus.events,
    logger,
    recheckMs: config.tokenRecheckMs,
    onRevoked: (tokenHash) => tokenCache.invalidate({ tokenHash }),
  });

  const readCache =
    config.readCacheTtlMs > 0 ? useAnonymousReadCache(bus.events, { ttlMs: config.readCacheTtlMs }) : null;
  const yoga = createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    logging: yogaLogger(logger),
    context: async (initial: { request?: Request; connectionParams?: Record<string, unknown> }) =>
      createContext(app, authorizationOf(initial)),
    maskedErrors: { maskError: createErrorMasker(logger) },
    // The largest legitimate body is a 2 MiB module upload or a 1 MiB plugin input (escaped);
    // anything past this is refused with 413 while it streams in, before it is buffered.
    maxRequestBodySize: MAX_REQUEST_BODY_BYTES,
    // GraphiQL subscribes over SSE: plain HTTP requests carry the Headers tab (the token), which
    // its WebSocket client would not send.
    graphiql: { title: 'Plugboard', defaultQuery: DEFAULT_QUERY, subscriptionsProtocol: 'SSE' },
    renderGraphiQL,
    plugins: [
      useObservability(metrics),
      useQueryLimits(),
      ...(limiter
        ? [
            useRateLimits({
              limiter,
              userPerMinute: config.rateLimitUser,
              anonymousPerMinute: config.rateLimitAnonymous,
              trustedProxies: trustedProxies(config.trustedProxies),
            }),
          ]
        : []),
      useInputGuard(),
      nameOperationInScope,
      useSubscriptionGuards({ outboxes, tokens }),
      closeAfterRefusedBody,
      ...(readCache?.plugins ?? []),
      ...(config.readCacheTtlMs > 0 ? [useSharedReads()] : []),
      useWasmDownloads({ db, logger }),
      useReadinessCheck({
        endpoint: '/ready',
        check: async () => {
          await db.orm.em.getConnection().execute('select 1');
        },
      }),
    ],
  });

  await beforeListen?.(app);
  const uninstallGuard = installProcessGuard(logger);
  const metricsEndpoint = metricsHandler(metrics, { host: config.host, token: config.metricsToken });
  const webApp = createWebApp({ dir: webDir });
  const server = createServer((req, res) => {
    const start = performance.now();
    const scope: RequestInfo = {
      requestId: requestIdOf(req.headers['x-request-id']),
      transport: 'http',
      method: req.method,
      path: req.url,
    };
    res.setHeader('x-request-id', scope.requestId);
    res.once('finish', () => {
      const seconds = (performance.now() - start) / 1000;
      metrics.http(req.method, req.url, res.statusCode, seconds);
      logger.info(
        {
          requestId: scope.requestId,
          method: req.method,
          // The query string may hold anything (a GraphQL GET carries the whole query): the path only.
          path: req.url?.split('?', 1)[0],
          status: res.statusCode,
          durationMs: Math.round(seconds * 1000 * 100) / 100,
          operationName: scope.operationName ?? null,
          userId: scope.userId ?? null,
          ...(scope.outcome ? { outcome: scope.outcome } : {}),
        },
        'request',
      );
    });
    requestScope.run(scope, () => {
      if (req.url === '/metrics' || req.url?.startsWith('/metrics?')) {
        metricsEndpoint.handle(req, res).catch((err: unknown) => {
          logger.error({ err }, 'could not render /metrics');
          if (!res.headersSent) res.writeHead(500).end();
        });
        return;
      }
      if (webApp.handle(req, res, (err) => logger.error({ err }, 'could not serve the web app'))) return;
      yoga(req, res);
    });
  });
  const ws = attachWebSocket(server, yoga, {
    maxPayloadBytes: MAX_REQUEST_BODY_BYTES,
    outboxes,
    // One line per graphql-ws operation, as per HTTP request (a subscription's when it ends).
    onOperationEnd: (scope, seconds) =>
      logger.info(
        {
          requestId: scope.requestId,
          transport: scope.transport,
          durationMs: Math.round(seconds * 1000 * 100) / 100,
          operationName: scope.operationName ?? null,
          userId: scope.userId ?? null,
          outcome: scope.outcome ?? 'success',
        },
        'request',
      ),
  });
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
  if (!metricsEndpoint.served)
    logger.warn(
      { host: config.host },
      '/metrics is off: the server is not bound to loopback and PLUGBOARD_METRICS_TOKEN is not set',
    );
  else logger.info({ token: isLoopback(config.host) ? 'not required (loopback)' : 'required' }, '/metrics is on');

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      // Stop accepting, let in-flight HTTP requests finish, then drop sockets and storage.
      const drained = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      tokens.close();
      await ws.close();
      await drained;
      readCache?.close();
      await tokenUsage.close();
      await limiter?.close();
      await scheduler?.close();
      await platform.close();
      await bus.close();
      await db.close();
      uninstallGuard();
      logger.info('plugboard stopped');
    })());
  return { app, server, url, subscribers: { stats: outboxes.stats, tokens }, close };
}
