import DataLoader from 'dataloader';
import type { SqlEntityManager } from '@mikro-orm/knex';
import type { ExecutionStatus } from '../../entities/index.ts';
import { BIN_COLUMNS, percentile } from './histogram.ts';
import { HOUR_MS, hourOf, STATUS_COLUMNS } from './rollup.ts';

export interface StatusCount {
  status: ExecutionStatus;
  count: number;
}

/** Usage of an installation or a plugin, or of one of their functions or hooks. */
export interface UsageFigures {
  calls: number;
  /** Every finished status, zeros included, in a fixed order. */
  byStatus: StatusCount[];
  /** Failures (FAILED, TIMED_OUT, FUEL_EXHAUSTED, MEMORY_EXCEEDED) per call that ran; null when none ran. */
  errorRate: number | null;
  durationMs: { p50: number; p95: number; p99: number; mean: number; max: number } | null;
  fuel: { total: number; mean: number; max: number } | null;
  peakMemoryBytes: { mean: number; max: number } | null;
}

export interface NamedUsage extends UsageFigures {
  name: string;
}

export interface UsageStats extends UsageFigures {
  /** The start of the first hour counted; null: since the first call. */
  since: Date | null;
  /** Direct calls (executePlugin), by function. */
  functions: NamedUsage[];
  /** Hook runs, by hook. */
  hooks: NamedUsage[];
}

/** Whose usage: an installation, or with `installationId` 0 every installation of the plugin. */
export interface UsageKey {
  pluginId: number;
  installationId: number;
  /** Counted from the start of this hour on; null: everything. */
  sinceHour: number | null;
}

/** Columns summed over a row's group, in SQL; the rest are maxima. */
const STATUS_ENTRIES = Object.entries(STATUS_COLUMNS) as [ExecutionStatus, string][];
const SUMS = [
  'calls',
  ...STATUS_ENTRIES.map(([, c]) => c),
  'timed',
  'duration_sum',
  'fuel_calls',
  'fuel_sum',
  'memory_calls',
  'memory_sum',
  ...BIN_COLUMNS,
];
const MAXIMA = ['duration_max', 'fuel_max', 'memory_max'];
const FAILURE_COLUMNS = ['failed', 'timed_out', 'fuel_exhausted', 'memory_exceeded'];

type Totals = Record<string, number>;
/** The rollup of one installation or plugin over a window, for one function or hook. */
interface Group {
  pluginId: number;
  installationId: number;
  kind: string;
  name: string;
  totals: Totals;
}

/** A usage window from a `since` argument: rounded down to the hour the rollup keeps. */
export function sinceHourOf(since: Date | null | undefined): number | null {
  return since ? hourOf(since) : null;
}

/**
 * Reads usage from the hourly rollup, for many keys in one statement per distinct window: the
 * database sums a few rows per hour and function (never the executions), and percentiles come
 * from the merged duration histograms.
 */
export function usageLoader(em: SqlEntityManager) {
  return new DataLoader<UsageKey, UsageStats, string>(
    async (keys) => {
      const byWindow = new Map<number | null, UsageKey[]>();
      for (const key of keys) byWindow.set(key.sinceHour, [...(byWindow.get(key.sinceHour) ?? []), key]);
      const found = new Map<string, Group[]>();
      for (const [sinceHour, group] of byWindow) {
        for (const row of await readGroups(em, group, sinceHour)) {
          const id = cacheKey({ ...row, sinceHour });
          found.set(id, [...(found.get(id) ?? []), row]);
        }
      }
      return keys.map((key) => usageOf(found.get(cacheKey(key)) ?? [], key.sinceHour));
    },
    { cacheKeyFn: cacheKey },
  );
}

const cacheKey = (k: UsageKey) => `${k.pluginId}:${k.installationId}:${k.sinceHour ?? '*'}`;

async function readGroups(em: SqlEntityManager, keys: UsageKey[], sinceHour: number | null): Promise<Group[]> {
  const knex = em.getKnex();
  const qb = knex('execution_stats')
    .select('plugin_id', 'installation_id', 'kind', 'name')
    .select(SUMS.map((c) => knex.raw('sum(??) as ??', [c, c])))
    .select(MAXIMA.map((c) => knex.raw('max(??) as ??', [c, c])))
    .whereIn(
      ['plugin_id', 'installation_id'],
      keys.map((k) => [k.pluginId, k.installationId]),
    )
    .groupBy('plugin_id', 'installation_id', 'kind', 'name')
    .orderBy(['kind', 'name']);
  if (sinceHour !== null) qb.andWhere('hour', '>=', sinceHour);
  const rows = await em.getConnection().execute<Record<string, unknown>[]>(qb, [], 'all', em.getTransactionContext());
  return rows.map((row) => ({
    pluginId: Number(row.plugin_id),
    installationId: Number(row.installation_id),
    kind: String(row.kind),
    name: String(row.name),
    // PostgreSQL sums integers as bigint, which its driver hands over as strings.
    totals: Object.fromEntries([...SUMS, ...MAXIMA].map((c) => [c, Number(row[c] ?? 0)])),
  }));
}

function usageOf(groups: Group[], sinceHour: number | null): UsageStats {
  const named = (kind: string) =>
    groups.filter((g) => g.kind === kind).map((g) => ({ name: g.name, ...figures(g.totals) }));
  const total: Totals = {};
  for (const c of SUMS) total[c] = groups.reduce((n, g) => n + g.totals[c], 0);
  for (const c of MAXIMA) total[c] = groups.reduce((n, g) => Math.max(n, g.totals[c]), 0);
  return {
    since: sinceHour === null ? null : new Date(sinceHour * HOUR_MS),
    ...figures(total),
    functions: named('FUNCTION'),
    hooks: named('HOOK'),
  };
}

function figures(t: Totals): UsageFigures {
  const ran = t.calls - t.rejected;
  const failures = FAILURE_COLUMNS.reduce((n, c) => n + t[c], 0);
  const bins = BIN_COLUMNS.map((c) => t[c]);
  return {
    calls: t.calls,
    byStatus: STATUS_ENTRIES.map(([status, c]) => ({ status, count: t[c] })),
    errorRate: ran > 0 ? failures / ran : null,
    durationMs:
      t.timed > 0
        ? {
            p50: percentile(bins, 0.5, t.duration_max)!,
            p95: percentile(bins, 0.95, t.duration_max)!,
            p99: percentile(bins, 0.99, t.duration_max)!,
            mean: t.duration_sum / t.timed,
            max: t.duration_max,
          }
        : null,
    fuel: t.fuel_calls > 0 ? { total: t.fuel_sum, mean: t.fuel_sum / t.fuel_calls, max: t.fuel_max } : null,
    peakMemoryBytes: t.memory_calls > 0 ? { mean: t.memory_sum / t.memory_calls, max: t.memory_max } : null,
  };
}
