import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import type { Knex } from 'knex';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RuntimeStats } from '../../runtime/index.ts';
import type { ExecutionReport } from '../../services/platform/index.ts';

/** Distinct operation names (and plugin slugs) kept as label values; later ones count as "other". */
export const MAX_LABEL_VALUES = 200;
/** Longer names are cut to this many characters. */
export const MAX_LABEL_LENGTH = 64;

/** Client-chosen strings as label values: the first MAX_LABEL_VALUES seen, then "other". */
export class BoundedLabel {
  private readonly seen = new Set<string>();
  constructor(
    private readonly max = MAX_LABEL_VALUES,
    private readonly empty = 'anonymous',
  ) {}
  of(raw: string | null | undefined): string {
    if (!raw) return this.empty;
    const value = raw.length > MAX_LABEL_LENGTH ? raw.slice(0, MAX_LABEL_LENGTH) : raw;
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.max) return 'other';
    this.seen.add(value);
    return value;
  }
}

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const FUEL = [1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];
const BYTES = [65_536, 262_144, 1_048_576, 4_194_304, 16_777_216, 67_108_864, 268_435_456];
const METHODS = new Set(['GET', 'POST', 'OPTIONS', 'HEAD']);

/** The bounded route label of a path: the server's endpoints, everything else "other". */
export function routeOf(url: string | undefined): string {
  const path = (url ?? '').split('?', 1)[0];
  if (path === '/graphql' || path === '/metrics' || path === '/ready' || path === '/health') return path;
  if (path.startsWith('/wasm/')) return '/wasm';
  return 'other';
}

export interface Metrics {
  registry: Registry;
  /** Counts one HTTP request that has been answered. */
  http(method: string | undefined, url: string | undefined, status: number, seconds: number): void;
  /** Counts one executed GraphQL operation. */
  operation(name: string | null | undefined, type: string, outcome: 'success' | 'error', seconds: number): void;
  /** Counts one plugin call. */
  execution(report: ExecutionReport): void;
  /** Counts a subscription that started (1) or stopped (-1) listening on the event bus for `topic`. */
  subscriptions(topic: string, change: 1 | -1): void;
  /** Delivery delay of an event, from its publication to a subscriber of this instance. */
  eventLag(seconds: number): void;
  /** Times every statement run through `knex` by kind, and reports its connection pool. */
  watchDatabase(knex: Knex, dialect: string): void;
}

/** One registry per server instance (tests run several in one process). */
export interface MetricsSources {
  runtimeStats(): RuntimeStats | null;
  /** Installations per circuit state. */
  circuitStates?(): Promise<Record<string, number>>;
}

export function createMetrics(platform: MetricsSources): Metrics {
  const registry = new Registry();
  const registers = [registry];
  const operations = new BoundedLabel();
  const plugins = new BoundedLabel(MAX_LABEL_VALUES, 'unknown');

  const httpRequests = new Counter({
    name: 'plugboard_http_requests_total',
    help: 'HTTP requests answered, by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });
  const httpDuration = new Histogram({
    name: 'plugboard_http_request_duration_seconds',
    help: 'Time to answer an HTTP request, by route',
    labelNames: ['route'] as const,
    buckets: SECONDS,
    registers,
  });
  const graphqlOps = new Counter({
    name: 'plugboard_graphql_operations_total',
    help: 'GraphQL operations executed, by operation name (bounded), type and outcome',
    labelNames: ['operation', 'type', 'outcome'] as const,
    registers,
  });
  const graphqlDuration = new Histogram({
    name: 'plugboard_graphql_operation_duration_seconds',
    help: 'Execution time of GraphQL operations, by operation name (bounded) and type',
    labelNames: ['operation', 'type'] as const,
    buckets: SECONDS,
    registers,
  });
  const executions = new Counter({
    name: 'plugboard_executions_total',
    help: 'Plugin calls, by plugin slug (bounded), trigger and status',
    labelNames: ['plugin', 'trigger', 'status'] as const,
    registers,
  });
  const executionDuration = new Histogram({
    name: 'plugboard_execution_duration_seconds',
    help: 'Duration of plugin calls as recorded, by plugin',
    labelNames: ['plugin'] as const,
    buckets: SECONDS,
    registers,
  });
  const executionFuel = new Histogram({
    name: 'plugboard_execution_fuel',
    help: 'Fuel used by plugin calls, by plugin',
    labelNames: ['plugin'] as const,
    buckets: FUEL,
    registers,
  });
  const executionMemory = new Histogram({
    name: 'plugboard_execution_peak_memory_bytes',
    help: 'Peak linear memory of plugin calls, by plugin',
    labelNames: ['plugin'] as const,
    buckets: BYTES,
    registers,
  });
  new Gauge({
    name: 'plugboard_runtime_instances',
    help: 'Plugin instances kept warm, by worker',
    labelNames: ['worker'] as const,
    registers,
    collect() {
      this.reset();
      for (const [i, w] of (platform.runtimeStats()?.workers ?? []).entries())
        this.set({ worker: String(i) }, w.instances);
    },
  });
  new Gauge({
    name: 'plugboard_runtime_instance_bytes',
    help: 'Memory held by the plugin instances kept warm, by worker',
    labelNames: ['worker'] as const,
    registers,
    collect() {
      this.reset();
      for (const [i, w] of (platform.runtimeStats()?.workers ?? []).entries())
        this.set({ worker: String(i) }, w.instanceBytes);
    },
  });
  new Gauge({
    name: 'plugboard_runtime_workers',
    help: 'Plugin worker threads started (0 until the first call)',
    registers,
    collect() {
      this.set(platform.runtimeStats()?.workers.length ?? 0);
    },
  });
  const load = (key: 'queued' | 'busyWorkers' | 'restarts') =>
    function (this: Gauge) {
      this.set(platform.runtimeStats()?.[key] ?? 0);
    };
  new Gauge({
    name: 'plugboard_runtime_queue_depth',
    help: 'Plugin calls waiting for a worker',
    registers,
    collect: load('queued'),
  });
  new Gauge({
    name: 'plugboard_runtime_busy_workers',
    help: 'Plugin workers with calls in flight',
    registers,
    collect: load('busyWorkers'),
  });
  new Counter({
    name: 'plugboard_runtime_worker_restarts_total',
    help: 'Plugin workers lost (deadline or crash) and replaced',
    registers,
    collect() {
      this.reset();
      this.inc(platform.runtimeStats()?.restarts ?? 0);
    },
  });
  new Gauge({
    name: 'plugboard_circuits',
    help: 'Installations by circuit state (read from the database at each scrape)',
    labelNames: ['state'] as const,
    registers,
    async collect() {
      const counts = (await platform.circuitStates?.()) ?? {};
      this.reset();
      for (const [state, count] of Object.entries(counts)) this.set({ state }, count);
    },
  });
  // Counted where the event bus says a listener hears events (on Redis, once Redis acknowledged
  // it), not when the operation started: a subscription still being set up would miss events.
  const subscriptions = new Gauge({
    name: 'plugboard_subscriptions_open',
    help: "Subscriptions listening on this instance's event bus, by topic: GraphQL subscriptions and the server's own listeners",
    labelNames: ['topic'] as const,
    registers,
  });
  const lag = new Histogram({
    name: 'plugboard_event_bus_lag_seconds',
    help: 'Delay from an event being published to its delivery to a subscriber here',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers,
  });
  const statements = new Histogram({
    name: 'plugboard_db_statement_duration_seconds',
    help: 'SQL statement durations, by kind (select, insert, update, delete, other)',
    labelNames: ['kind', 'outcome'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers,
  });

  return {
    registry,
    http(method, url, status, seconds) {
      const route = routeOf(url);
      httpRequests.inc({ method: method && METHODS.has(method) ? method : 'other', route, status: String(status) });
      httpDuration.observe({ route }, seconds);
    },
    operation(name, type, outcome, seconds) {
      const operation = operations.of(name);
      graphqlOps.inc({ operation, type, outcome });
      graphqlDuration.observe({ operation, type }, seconds);
    },
    execution(r) {
      const plugin = plugins.of(r.plugin);
      executions.inc({ plugin, trigger: r.trigger, status: r.status });
      if (r.durationMs !== null) executionDuration.observe({ plugin }, r.durationMs / 1000);
      if (r.fuelUsed !== null) executionFuel.observe({ plugin }, r.fuelUsed);
      if (r.peakMemoryBytes !== null) executionMemory.observe({ plugin }, r.peakMemoryBytes);
    },
    subscriptions(topic, change) {
      subscriptions.inc({ topic }, change);
    },
    eventLag(seconds) {
      if (seconds >= 0) lag.observe(seconds);
    },
    watchDatabase(knex, dialect) {
      const started = new Map<string, number>();
      const kindOf = (sql: unknown) => {
        const verb = typeof sql === 'string' ? /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase() : undefined;
        return verb === 'select' || verb === 'insert' || verb === 'update' || verb === 'delete' ? verb : 'other';
      };
      type Query = { __knexQueryUid?: string; sql?: string };
      knex.on('query', (q: Query) => {
        if (q.__knexQueryUid) started.set(q.__knexQueryUid, performance.now());
      });
      const done = (outcome: string) => (_: unknown, q: Query) => {
        const uid = q?.__knexQueryUid;
        const start = uid ? started.get(uid) : undefined;
        if (uid === undefined || start === undefined) return;
        started.delete(uid);
        statements.observe({ kind: kindOf(q.sql), outcome }, (performance.now() - start) / 1000);
      };
      knex.on('query-response', done('success'));
      knex.on('query-error', done('error'));
      type Pool = { numUsed(): number; numFree(): number; numPendingAcquires(): number };
      const pool = () => (knex.client as { pool?: Pool }).pool;
      new Gauge({
        name: 'plugboard_db_pool_connections',
        help: `Database connections (${dialect}), by state: used, free, pending (waiting for one)`,
        labelNames: ['state'] as const,
        registers,
        collect() {
          const p = pool();
          if (!p) return;
          this.set({ state: 'used' }, p.numUsed());
          this.set({ state: 'free' }, p.numFree());
          this.set({ state: 'pending' }, p.numPendingAcquires());
        },
      });
    },
  };
}

/** Whether `host` only accepts connections from this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/**
 * Serves `GET /metrics`. Open on a loopback bind; otherwise only with `Authorization: Bearer
 * <token>`, and not at all (404) when no token is configured.
 */
export function metricsHandler(metrics: Metrics, { host, token }: { host: string; token: string | null }) {
  const open = isLoopback(host);
  const expected = token ? Buffer.from(`Bearer ${token}`) : null;
  const authorized = (header: string | undefined) => {
    if (open) return true;
    if (!expected || !header) return false;
    const given = Buffer.from(header);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  return {
    /** Whether /metrics is served at all on this bind. */
    served: open || expected !== null,
    async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
      if (!open && !expected) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      } else if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('Method Not Allowed');
      } else if (!authorized(req.headers.authorization)) {
        res
          .writeHead(401, { 'www-authenticate': 'Bearer realm="metrics"', 'content-type': 'text/plain' })
          .end('Unauthorized');
      } else {
        const body = await metrics.registry.metrics();
        res.writeHead(200, { 'content-type': metrics.registry.contentType });
        res.end(req.method === 'HEAD' ? undefined : body);
      }
    },
  };
}
